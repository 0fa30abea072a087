/**
 * The fleet rollout end to end: a real Temporal dev server, the central worker, one agent per
 * simulated host, each group restarted by its own child procedure. Proven from the simulator's
 * operation record: never more groups at work than the limits allow, nothing started while
 * paused, nothing started once the failure budget is spent, and bad input refused before any
 * group starts.
 */
import { randomUUID } from 'node:crypto';
import { commandRollout, startRollout } from '../../../client/fleet-rollout-client';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { groupRestartExample, SHORT_WAITS } from '../../../simulator/example-inputs';
import type { Inventory } from '../../../simulator/spoc/inventory';
import type { OperationRecordEntry } from '../../../simulator/core/operation-record';
import type { RolloutStatus } from '../../../workflows/fleet/rollout-messages';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { testInventory } from '../../helpers/sim-fleet';

const estate = useSimulatedEstate();

/** Groups of two: a1 and a2 at site alpha, b1 at site beta (one rollout); c1 and c2 at site gamma (another). */
const GROUPS = { a1: 'alpha', a2: 'alpha', b1: 'beta', c1: 'gamma', c2: 'gamma' } as const;
type GroupName = keyof typeof GROUPS;

function rolloutInventory(): Inventory {
  const base = testInventory({ timeScale: 3000 });
  const template = base.siteServers[0];
  if (!template) throw new Error('the default inventory has no site server');
  const hostsOf = (g: string) => [`spoc-${g}-1`, `spoc-${g}-2`];
  return {
    ...base,
    siteServers: Object.entries(GROUPS).flatMap(([g, site]) => hostsOf(g).map((host) => ({ ...template, host, site }))),
    groups: Object.keys(GROUPS).map((name) => ({ name, members: hostsOf(name) })),
    standalone: [],
  };
}

function rolloutInput(inventory: Inventory, groups: GroupName[], limits: { maxGroupsAtOnce: number; maxGroupsPerSite?: number; failureBudget: number }) {
  const waits = { ...SHORT_WAITS, convergenceSeconds: 0, serviceTimeoutSeconds: 5 };
  return {
    procedure: 'restart-group-without-cache-deletion',
    groups: groups.map((g) => ({ site: GROUPS[g], input: { ...groupRestartExample(inventory, g), waits } })),
    limits,
    pollSeconds: 1,
  };
}

/** For each group, the first and last line of the record its hosts wrote, from line `from` on. */
function groupSpans(record: OperationRecordEntry[], from = 0): Map<string, { first: number; last: number }> {
  const spans = new Map<string, { first: number; last: number }>();
  record.forEach((entry, i) => {
    if (i < from) return;
    const group = /^spoc-(\w+)-\d$/.exec(entry.host)?.[1];
    if (!group) return;
    const span = spans.get(group);
    spans.set(group, { first: span?.first ?? i, last: i });
  });
  return spans;
}

/** The most groups whose record spans overlap at one line. */
function mostAtOnce(spans: { first: number; last: number }[]): number {
  const lines = spans.flatMap((s) => [s.first, s.last]);
  return Math.max(0, ...lines.map((line) => spans.filter((s) => s.first <= line && line <= s.last).length));
}

async function rolloutStatusOf(workflowId: string, until: (s: RolloutStatus) => boolean, timeoutMs = 60_000): Promise<RolloutStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await estate.client.workflow.getHandle(workflowId).query<RolloutStatus>('status');
    if (until(status)) return status;
    if (Date.now() > deadline) throw new Error(`rollout ${workflowId} never got there; last status: ${JSON.stringify(status.counts)} ${status.holding ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('rolls a restart over the groups two at a time and one per site, holds while paused, and starts nothing once the failure budget is spent', async () => {
  const inventory = rolloutInventory();
  const fleet = estate.fleet(inventory);
  // c1's SPOC will not stop, so its procedure halts: with a budget of 1, c2 is never started.
  fleet.host('spoc-c1-1').setFaults({ services: { [SPOC_SERVICE]: 'wont-stop' } });
  let resumedAt = 0;
  await estate.withWorkers(fleet, async () => {
    const first = `rollout-${randomUUID()}`;
    const second = `rollout-${randomUUID()}`;
    await startRollout(estate.client, rolloutInput(inventory, ['a1', 'a2', 'b1'], { maxGroupsAtOnce: 2, maxGroupsPerSite: 1, failureBudget: 1 }), { workflowId: first });
    await startRollout(estate.client, rolloutInput(inventory, ['c1', 'c2'], { maxGroupsAtOnce: 1, failureBudget: 1 }), { workflowId: second });

    // a1 and b1 start (one per site); paused while they run, a2 waits for the resume.
    expect((await rolloutStatusOf(first, (s) => s.counts.running + s.counts.done === 2)).groups.waiting).toEqual(['a2']);
    const paused = await commandRollout(estate.client, first, { type: 'operator.pause', operator: 'jdoe', reason: 'printers busy' });
    expect(paused.status).toBe('paused');
    await expect(commandRollout(estate.client, first, { type: 'operator.pause' })).rejects.toThrow(/"operator.pause" is not possible now; the rollout accepts: operator.resume/);

    const spent = await rolloutStatusOf(second, (s) => s.counts['not-started'] === 1);
    expect(spent).toMatchObject({ groups: { halted: ['c1'], 'not-started': ['c2'] }, accepts: [] });
    expect(spent.perGroup[1]?.reason).toBe('the failure budget is spent: 1 group(s) halted or failed (failureBudget 1)');
    expect(spent.perGroup[0]?.reason).toMatch(/spoc-c1-1/);
    fleet.host('spoc-c1-1').setFaults({});
    await estate.spoolflow.command('spoc-group-c1', { type: 'operator.abort', operator: 'jdoe', reason: 'the rollout stopped' });
    const ended = (await estate.client.workflow.getHandle(second).result()) as RolloutStatus;

    // Started as from the Web UI, without the client's check: the workflow refuses it before any group starts.
    const refused = `rollout-${randomUUID()}`;
    await estate.client.workflow.start('fleetRollout', { taskQueue: CENTRAL_TASK_QUEUE, workflowId: refused, args: [rolloutInput(inventory, ['c2'], { maxGroupsAtOnce: 0, failureBudget: 1 })] });
    expect(await estate.failureOf(refused)).toEqual({ type: 'InvalidInputError', message: 'invalid input for fleet-rollout: limits.maxGroupsAtOnce: must be at least 1' });
    expect(ended.groups).toMatchObject({ failed: ['c1'], 'not-started': ['c2'] });
    expect(ended.perGroup[0]).toMatchObject({ state: 'failed', haltedOnce: true });

    const held = await rolloutStatusOf(first, (s) => s.counts.done === 2);
    expect(held).toMatchObject({ status: 'paused', holding: 'paused by an operator', groups: { done: ['a1', 'b1'], waiting: ['a2'], running: [] } });
    resumedAt = fleet.record.read().length;
    expect(groupSpans(fleet.record.read()).has('a2')).toBe(false);
    await commandRollout(estate.client, first, { type: 'operator.resume', operator: 'jdoe' });
    const done = (await estate.client.workflow.getHandle(first).result()) as RolloutStatus;
    expect(done).toMatchObject({ status: 'done', counts: { done: 3, running: 0, halted: 0, waiting: 0, failed: 0, 'not-started': 0 } });
    expect(done.commands.map((c) => [c.type, c.operator])).toEqual([['operator.pause', 'jdoe'], ['operator.resume', 'jdoe']]);
    expect(done.perGroup.map((g) => g.workflowId)).toEqual(['spoc-group-a1', 'spoc-group-a2', 'spoc-group-b1']);
  });

  const spans = groupSpans(fleet.record.read());
  const ofFirst = (['a1', 'a2', 'b1'] as const).map((g) => spans.get(g)).filter((x) => x !== undefined);
  expect(ofFirst).toHaveLength(3);
  expect(mostAtOnce(ofFirst)).toBeLessThanOrEqual(2);
  expect(mostAtOnce([spans.get('a1'), spans.get('a2')].filter((x) => x !== undefined))).toBe(1);
  expect(spans.get('a2')?.first).toBeGreaterThanOrEqual(resumedAt);
  expect(spans.has('c1')).toBe(true);
  expect(spans.has('c2')).toBe(false);
});
