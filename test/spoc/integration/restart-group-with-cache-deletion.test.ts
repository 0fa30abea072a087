/**
 * Restart a SPOC group with cache deletion, end to end on the simulated fleet: every member
 * stopped, every cache deleted, then the members started one at a time, recovering their caches.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { planProcedure } from '../../../machines/core/plan';
import { PRINTED_JOBS_NOTE, restartGroupWithCacheDeletionMachine } from '../../../machines/spoc/restart-group-with-cache-deletion';
import { PROTECTED_SERVICES } from '../../../machines/spoc/spoc-services';
import { RECOVERY_FINISHED_MARKER } from '../../../activities/spoc/spoc-logs';
import { plannedChanges, recordedChanges } from '../../helpers/plan-vs-record';
import { leftStopped, repeatedOperations } from '../../helpers/record-invariants';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';

const estate = useSimulatedEstate();

test('stops every member, deletes every cache, then starts members one at a time as planned; caches are recovered', async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const input = groupRestartExample(inventory, 'prague');
  input.waits.betweenStartsSeconds = 2;
  const workflowId = `with-deletion-${randomUUID()}`;
  const output = await estate.run(fleet, 'restart-group-with-cache-deletion', input, workflowId);

  expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-prg-1', 'spoc-prg-2', 'spoc-prg-3'], leftStopped: {}, notes: [PRINTED_JOBS_NOTE] });

  const record = fleet.record.read();
  const ops = record.map((e) => e.operation);
  expect(ops.lastIndexOf('stop-service')).toBeLessThan(ops.indexOf('delete-cache'));
  expect(ops.lastIndexOf('delete-cache')).toBeLessThan(ops.indexOf('start-service'));
  expect(record.filter((e) => e.operation === 'delete-cache').map((e) => `${e.host}:${e.outcome}`)).toEqual(['spoc-prg-1:deleted', 'spoc-prg-2:deleted', 'spoc-prg-3:deleted']);
  const installDirOf = (host: string) => input.members.find((m) => m.host === host)?.installDir ?? '';
  expect(recordedChanges(record)).toEqual(plannedChanges(planProcedure(restartGroupWithCacheDeletionMachine, input), installDirOf));
  expect(repeatedOperations(record)).toEqual([]);
  expect(leftStopped(record)).toEqual({});
  expect(record.some((e) => PROTECTED_SERVICES.includes(e.target))).toBe(false);

  for (const member of input.members) {
    const host = fleet.host(member.host);
    // Recovery (jobs downloaded again), not rescue: the cache is full again and spoc.log says so.
    expect(host.cacheJobs()).toBe(inventory.siteServers.find((s) => s.host === member.host)?.jobsInCache);
    expect(readFileSync(host.localPath(`${member.installDir}\\SPOC\\logs\\spoc.log`), 'utf8')).toContain(RECOVERY_FINISHED_MARKER);
  }
});
