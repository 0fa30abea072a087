/**
 * `spoolflow watch --json` and `spoolflow list` against a real Temporal server: the watch follows a
 * short procedure to its end, one line per change with the steps in plan order and the last line
 * done (exit 0); list finds the procedure by its search attributes. `watch --json` of a procedure
 * that has ended (completed, terminated) prints the one line its final status gives.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { watchEvent, type WatchEvent } from '../../../cli/watch-view';
import type { ListedProcedure } from '../../../cli/list-procedures';
import { procedureMachine } from '../../../client/procedure-modules';
import { planProcedure } from '../../../machines/core/plan';
import { groupRestartExample } from '../../../simulator/example-inputs';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { testInventory } from '../../helpers/sim-fleet';

const estate = useSimulatedEstate();
const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'spoolflow.js');

function spoolflow(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TEMPORAL_ADDRESS: estate.address, TEMPORAL_NAMESPACE: estate.temporal.namespace }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * What `watch --json` printed for an ended procedure before it read a completed run's close event:
 * the event of its final status (the status query, which the workers answer by replaying the run).
 */
async function eventOfFinalStatus(workflowId: string, input: unknown, failed: boolean): Promise<WatchEvent> {
  const status = await estate.spoolflow.status(workflowId);
  const { machine, inputSchema } = await procedureMachine(status.procedure);
  return watchEvent(workflowId, status, planProcedure(machine, inputSchema.parse(input)), failed);
}

/** The lines of `watch --json` of a procedure that has ended, and the event its final status gives. */
async function watchOfEnded(workflowId: string, input: unknown, failed: boolean) {
  const [watched, expected] = await Promise.all([spoolflow(['watch', workflowId, '--json']), eventOfFinalStatus(workflowId, input, failed)]);
  return { ...watched, lines: watched.stdout.trim().split('\n').map((line) => JSON.parse(line) as WatchEvent), expected };
}

test('watch --json follows a procedure to its end in plan order, and list --procedure finds it', async () => {
  const fleet = estate.fleet();
  const input = groupRestartExample(testInventory(), 'london');
  const shortInput = { ...input, waits: { ...input.waits, convergenceSeconds: 1 } };
  const workflowId = `watch-${randomUUID()}`;
  const { watch, list, ended } = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', shortInput, { workflowId });
    const watch = await spoolflow(['watch', workflowId, '--json', '--interval', '200']);
    // Listed once the watch is over, so that it competes with no one for the CPU; visibility may still lag a moment.
    let listed = await spoolflow(['list', '--procedure', 'restart-group-without-cache-deletion']);
    for (let i = 0; i < 20 && listed.code === 0 && !(JSON.parse(listed.stdout) as ListedProcedure[]).some((r) => r.workflowId === workflowId); i += 1) {
      listed = await spoolflow(['list', '--procedure', 'restart-group-without-cache-deletion']);
    }
    return { watch, list: listed, ended: await watchOfEnded(workflowId, shortInput, false) };
  });

  expect(watch.stderr).toBe('');
  expect(watch.code).toBe(0);
  const events = watch.stdout.trim().split('\n').map((line) => JSON.parse(line) as WatchEvent);
  expect(events.length).toBeGreaterThan(2);
  // Progress only moves forward, through the plan, to every step of it.
  const done = events.map((e) => e.done);
  expect(done).toEqual([...done].sort((a, b) => a - b));
  const last = events[events.length - 1] as WatchEvent;
  expect(last).toMatchObject({ workflowId, status: 'done', current: null, commands: [], output: expect.objectContaining({ outcome: 'completed' }) });
  expect(last.total).toBeGreaterThan(0);
  expect(last.done).toBe(last.total);
  // The hosts are stopped in runbook order: every step seen on spoc-lon-1 before any on spoc-lon-2.
  // The preflight looks at every member at once, before the first stop (the newest of its running
  // checks, spoc-lon-2's, is the current step while they run), so it is not part of that order.
  const hosts = events.filter((e) => e.current?.step !== 'preflightHost').map((e) => e.current?.host).filter((h): h is string => h !== undefined);
  expect(hosts.lastIndexOf('spoc-lon-1')).toBeLessThan(hosts.indexOf('spoc-lon-2'));

  // Once it has ended: one line, the last one seen while it ran, which its final status gives too.
  expect(ended).toMatchObject({ code: 0, stderr: '' });
  expect(ended.lines).toEqual([last]);
  expect(ended.lines).toEqual([ended.expected]);

  expect(list.code).toBe(0);
  const rows = JSON.parse(list.stdout) as ListedProcedure[];
  expect(rows).toContainEqual(expect.objectContaining({ workflowId, procedure: 'restart-group-without-cache-deletion', hosts: expect.arrayContaining(['spoc-lon-1', 'spoc-lon-2']) }));
});

test('a halted procedure: list --halted finds it, watch shows the commands to type, the short form aborts it and watch exits 1', async () => {
  const fleet = estate.fleet();
  fleet.managementServerDown = true;
  const workflowId = `watch-halt-${randomUUID()}`;
  const { halted, watch, aborted } = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', groupRestartExample(testInventory(), 'london'), { workflowId });
    await estate.halted(workflowId);
    const watching = spoolflow(['watch', workflowId, '--json', '--interval', '200']);
    // Visibility catches up with the search attributes a moment after the halt.
    let halted: ListedProcedure[] = [];
    for (let i = 0; i < 20 && !halted.some((r) => r.workflowId === workflowId); i += 1) {
      halted = JSON.parse((await spoolflow(['list', '--halted'])).stdout) as ListedProcedure[];
    }
    const aborted = await spoolflow(['abort', workflowId, '--operator', 'ann', '--reason', 'the management server is down for the day']);
    return { halted, watch: await watching, aborted };
  });

  expect(halted).toContainEqual(expect.objectContaining({ workflowId, halted: true, status: 'running', step: 'checkManagementServer' }));
  expect(aborted).toMatchObject({ code: 0, stderr: '' });
  expect(watch.code).toBe(1);
  const events = watch.stdout.trim().split('\n').map((line) => JSON.parse(line) as WatchEvent);
  expect(events[0]).toMatchObject({ status: 'halted', halt: { reason: expect.stringContaining('Management Server') }, commands: expect.arrayContaining([`spoolflow abort ${workflowId} --operator <name> --reason <text>`]) });
  expect(events[events.length - 1]).toMatchObject({ status: 'done', output: expect.objectContaining({ outcome: 'aborted' }) });
});

test('watch --json of a terminated procedure prints where it stood when it was terminated, and exits 1', async () => {
  const fleet = estate.fleet();
  fleet.managementServerDown = true;
  const workflowId = `watch-terminated-${randomUUID()}`;
  const input = groupRestartExample(testInventory(), 'london');
  const ended = await estate.withWorkers(fleet, async () => {
    await estate.spoolflow.start('restart-group-without-cache-deletion', input, { workflowId });
    await estate.halted(workflowId);
    await estate.spoolflow.handle(workflowId).terminate('the operator gave up on it');
    return watchOfEnded(workflowId, input, true);
  });

  expect(ended).toMatchObject({ code: 1, stderr: '' });
  expect(ended.lines).toEqual([ended.expected]);
  expect(ended.lines[0]).toMatchObject({ workflowId, status: 'failed', step: 'checkManagementServer', current: null, done: 0, halt: { reason: expect.stringContaining('Management Server') }, commands: [] });
});
