/**
 * The fleet rollout end to end: a real Temporal dev server, the central worker, one agent per
 * simulated host, each group restarted by its own child procedure. Proven from the simulator's
 * operation record: never more groups at work than the limits allow, nothing started while
 * paused, nothing started once the failure budget is spent, and bad input refused before any
 * group starts; a rollout that continues as new resumes exactly, following the children still
 * running across the boundary; no group starts after the maintenance window ends; the groups of
 * one decision start together in one workflow task, one already in maintenance reported not started;
 * with `secondsBetweenStarts` the groups start that far apart.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { runHistories, type HistoryEvents } from '../../../bench/run-histories';
import { watchProcedure } from '../../../cli/watch-procedure';
import { createChartServer } from '../../../web/chart-server';
import { commandRollout, startRollout } from '../../../client/fleet-rollout-client';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { groupRestartExample, SHORT_WAITS } from '../../../simulator/example-inputs';
import type { Inventory } from '../../../simulator/spoc/inventory';
import type { OperationRecordEntry } from '../../../simulator/core/operation-record';
import type { RolloutStatus } from '../../../workflows/fleet/rollout-messages';
import { CENTRAL_TASK_QUEUE } from '../../../workflows/task-queues';
import { createRolloutActivities } from '../../../activities/fleet/group-procedure-look';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { startAgentsLate, testInventory } from '../../helpers/sim-fleet';

const estate = useSimulatedEstate();

/** Groups of two: a1 and a2 at site alpha, b1 at site beta (one rollout); c1 and c2 at site gamma (another). */
const GROUPS = { a1: 'alpha', a2: 'alpha', b1: 'beta', c1: 'gamma', c2: 'gamma' } as const;
/** d1, e1 and f1 at sites of their own (the rollout that continues as new); w1 and w2 at omega, w3 at psi (the window's). */
const LATER_GROUPS = { d1: 'delta', e1: 'epsilon', f1: 'phi', w1: 'omega', w2: 'omega', w3: 'psi' } as const;
/** s1 and s2 at site sigma, s3 at tau: started together by one decision. */
const TOGETHER_GROUPS = { s1: 'sigma', s2: 'sigma', s3: 'tau' } as const;
/** p1, p2 and p3 at sites of their own: started with their starts spaced. */
const SPACED_GROUPS = { p1: 'pi', p2: 'rho', p3: 'upsilon' } as const;
/** l1 to l4 at sites of their own: spaced starts, one halts, looked at every few seconds. */
const LOOKED_AT_GROUPS = { l1: 'lambda', l2: 'mu', l3: 'nu', l4: 'xi' } as const;
/** Enough spaced starts that the rollout hands over to a new run between two of them. */
const HANDED_OVER_GROUPS = { h1: 'eta', h2: 'eta', h3: 'theta', h4: 'theta', h5: 'iota', h6: 'iota', h7: 'kappa', h8: 'kappa' } as const;
/** i1 and i2 at site chi, one at a time: i1 runs across a hand-over, i2 waits for its place. */
const INHERITED_GROUPS = { i1: 'chi', i2: 'chi' } as const;
const SITES: Record<string, string> = { ...GROUPS, ...LATER_GROUPS, ...TOGETHER_GROUPS, ...SPACED_GROUPS, ...LOOKED_AT_GROUPS, ...HANDED_OVER_GROUPS, ...INHERITED_GROUPS };
type GroupName =
  | keyof typeof GROUPS
  | keyof typeof LATER_GROUPS
  | keyof typeof TOGETHER_GROUPS
  | keyof typeof SPACED_GROUPS
  | keyof typeof LOOKED_AT_GROUPS
  | keyof typeof HANDED_OVER_GROUPS
  | keyof typeof INHERITED_GROUPS;

function rolloutInventory(groups: Record<string, string> = GROUPS): Inventory {
  const base = testInventory({ timeScale: 3000 });
  const template = base.siteServers[0];
  if (!template) throw new Error('the default inventory has no site server');
  const hostsOf = (g: string) => [`spoc-${g}-1`, `spoc-${g}-2`];
  return {
    ...base,
    siteServers: Object.entries(groups).flatMap(([g, site]) => hostsOf(g).map((host) => ({ ...template, host, site }))),
    groups: Object.keys(groups).map((name) => ({ name, members: hostsOf(name) })),
    standalone: [],
  };
}

function rolloutInput(inventory: Inventory, groups: GroupName[], limits: { maxGroupsAtOnce: number; maxGroupsPerSite?: number; failureBudget: number; secondsBetweenStarts?: number }) {
  const waits = { ...SHORT_WAITS, convergenceSeconds: 0, serviceTimeoutSeconds: 5 };
  return {
    procedure: 'restart-group-without-cache-deletion',
    groups: groups.map((g) => ({ site: SITES[g], input: { ...groupRestartExample(inventory, g), waits } })),
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
    if (Date.now() > deadline) throw new Error(`rollout ${workflowId} never got there; last status: ${JSON.stringify(status.counts)} ${status.holding ?? ''} ${JSON.stringify(status.perGroup.map((g) => [g.name, g.reason]))}`);
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

/** The chart page of a workflow, as `spoolflow web` serves it on this estate's server. */
async function chartPageOf(workflowId: string): Promise<string> {
  const server = createChartServer({ client: estate.client });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/workflows/${encodeURIComponent(workflowId)}`);
    return await res.text();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The host agents of `hosts`, started late (the test held them back so their group stays running); stopped by the returned function. */

test('continues as new while groups run and stays paused across it, following the children still running; from the window\'s end on no group starts and the waiting ones are reported not started', async () => {
  const inventory = rolloutInventory(LATER_GROUPS);
  const fleet = estate.fleet(inventory);
  // Without their agents d1 and w1 wait at their first step: running, deterministically, until the agents come.
  const heldBack = ['spoc-d1-1', 'spoc-d1-2', 'spoc-w1-1', 'spoc-w1-2'];
  const carried = `rollout-${randomUUID()}`;
  const windowed = `rollout-${randomUUID()}`;
  let resumedAt = 0;
  await estate.withWorkers(
    fleet,
    async () => {
      // Long enough for the rollout's first decision under a loaded machine; w1 runs past it anyway (its agents come later).
      const windowEnd = new Date(Date.now() + 5000).toISOString();
      await startRollout(estate.client, { ...rolloutInput(inventory, ['d1', 'e1', 'f1'], { maxGroupsAtOnce: 2, failureBudget: 1 }), continueAsNewAfterEvents: 50 }, { workflowId: carried });
      await startRollout(estate.client, { ...rolloutInput(inventory, ['w1', 'w2', 'w3'], { maxGroupsAtOnce: 1, failureBudget: 1 }), window: { start: new Date(Date.now() - 60_000).toISOString(), end: windowEnd } }, { workflowId: windowed });

      await rolloutStatusOf(carried, (s) => s.groups.running.includes('d1'));
      await commandRollout(estate.client, carried, { type: 'operator.pause', operator: 'jdoe', reason: 'watch the first two' });
      // The window ends while w1 still runs: w2 and w3 are given up, w1 goes on.
      const closed = await rolloutStatusOf(windowed, (s) => s.counts['not-started'] === 2);
      expect(closed).toMatchObject({ groups: { running: ['w1'], 'not-started': ['w2', 'w3'] }, accepts: [] });
      expect(closed.perGroup[1]?.reason).toBe(`the maintenance window ended at ${new Date(windowEnd).toISOString()}`);
      expect(Date.parse(closed.perGroup[0]?.startedAt ?? '')).toBeLessThan(Date.parse(windowEnd));

      // Handed over to a new run while d1 runs: the pause, the command and d1 come along; f1 still waits.
      const handedOver = await rolloutStatusOf(carried, (s) => s.continuedAsNew >= 1);
      expect(handedOver).toMatchObject({ status: 'paused', groups: { waiting: ['f1'] } });
      expect(handedOver.groups.running).toContain('d1');
      expect(handedOver.commands.map((c) => [c.type, c.operator, c.reason])).toEqual([['operator.pause', 'jdoe', 'watch the first two']]);
      resumedAt = fleet.record.read().length;
      await commandRollout(estate.client, carried, { type: 'operator.resume', operator: 'jdoe' });
      const stopAgents = await startAgentsLate(estate.temporal, fleet, heldBack);
      try {
        const done = (await estate.client.workflow.getHandle(carried).result()) as RolloutStatus;
        expect(done).toMatchObject({ status: 'done', counts: { done: 3, running: 0, waiting: 0, failed: 0, 'not-started': 0 } });
        expect(done.continuedAsNew).toBeGreaterThanOrEqual(1);
        expect(done.commands.map((c) => c.type)).toEqual(['operator.pause', 'operator.resume']);
        const ended = (await estate.client.workflow.getHandle(windowed).result()) as RolloutStatus;
        expect(ended).toMatchObject({ status: 'done', groups: { done: ['w1'], 'not-started': ['w2', 'w3'] } });
        // What `spoolflow watch` and the chart page show of it, asked of the real rollout.
        const lines: string[] = [];
        expect(await watchProcedure(estate.client, windowed, 100, { json: true, redraw: false, write: (t) => void lines.push(t) })).toBe(1);
        expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ procedure: 'fleet-rollout', status: 'done', counts: { done: 1, 'not-started': 2 }, groups: { done: ['w1'], 'not-started': ['w2', 'w3'] } });
        const chartPage = await chartPageOf(windowed);
        expect(chartPage).toContain('<tr><td>not started</td><td>2</td><td><a href="/workflows/spoc-group-w2">w2</a>, <a href="/workflows/spoc-group-w3">w3</a></td></tr>');
        expect(chartPage).toContain('the maintenance window ended at');
      } finally {
        await stopAgents();
      }
    },
    { withoutAgents: heldBack },
  );

  const spans = groupSpans(fleet.record.read());
  expect(mostAtOnce((['d1', 'e1', 'f1'] as const).map((g) => spans.get(g)).filter((x) => x !== undefined))).toBeLessThanOrEqual(2);
  expect(spans.get('f1')?.first).toBeGreaterThanOrEqual(resumedAt);
  expect(spans.has('w1')).toBe(true);
  expect(spans.has('w2') || spans.has('w3')).toBe(false);
});

/** The workflow's history events (its latest run). */
async function eventsOf(workflowId: string): Promise<HistoryEvents> {
  return (await estate.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}


/** When the server recorded an event, whole ms since the epoch. */
function atMsOf(e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
}

/** The child starts of a rollout's history: each child's workflow id and the workflow task completion that carried its start. */
async function childStartsOf(workflowId: string): Promise<{ workflowId: string; task: string; atMs: number }[]> {
  return childStartsIn(await eventsOf(workflowId));
}

/** The timers the rollout started (the workflow task that started each, its length) and when each ran out (its fired event's time and id). */
function spacingTimersOf(events: HistoryEvents): { task: string; seconds: number; firedAtMs?: number; firedEventId?: number }[] {
  const fired = new Map(events.flatMap((e) => (e.timerFiredEventAttributes ? [[String(e.timerFiredEventAttributes.startedEventId), e] as const] : [])));
  return events.flatMap((e) => {
    const timer = e.timerStartedEventAttributes;
    if (!timer) return [];
    const firedEvent = fired.get(String(e.eventId));
    return [{ task: String(timer.workflowTaskCompletedEventId), seconds: Number(timer.startToFireTimeout?.seconds ?? 0), ...(firedEvent ? { firedAtMs: atMsOf(firedEvent), firedEventId: Number(firedEvent.eventId) } : {}) }];
  });
}

function childStartsIn(events: HistoryEvents): { workflowId: string; task: string; atMs: number }[] {
  return events.flatMap((e) => {
    const started = e.startChildWorkflowExecutionInitiatedEventAttributes;
    return started ? [{ workflowId: started.workflowId ?? '', task: String(started.workflowTaskCompletedEventId), atMs: atMsOf(e) }] : [];
  });
}

/** Child workflow id → when the server recorded that it started it (ms since the epoch). */
function childConfirmationsIn(events: HistoryEvents): Map<string, number> {
  return new Map(
    events.flatMap((e) => {
      const started = e.childWorkflowExecutionStartedEventAttributes;
      return started ? [[started.workflowExecution?.workflowId ?? '', atMsOf(e)] as const] : [];
    }),
  );
}

test('starts the groups of one decision together, in one workflow task; one whose procedure already runs is reported not started, the others restart', async () => {
  const inventory = rolloutInventory(TOGETHER_GROUPS);
  const fleet = estate.fleet(inventory);
  // s1 is already in maintenance, started by hand: without its agents it stays at its first host step.
  const busy = ['spoc-s1-1', 'spoc-s1-2'];
  const rollout = `rollout-${randomUUID()}`;
  const input = rolloutInput(inventory, ['s1', 's2', 's3'], { maxGroupsAtOnce: 3, failureBudget: 2 });
  await estate.withWorkers(
    fleet,
    async () => {
      await estate.spoolflow.start('restart-group-without-cache-deletion', input.groups[0]?.input, { workflowId: 'spoc-group-s1' });
      try {
        await startRollout(estate.client, input, { workflowId: rollout });
        const done = (await estate.client.workflow.getHandle(rollout).result()) as RolloutStatus;
        expect(done).toMatchObject({ status: 'done', groups: { done: ['s2', 's3'], failed: ['s1'] } });
        expect(done.perGroup[0]?.reason).toBe('not started: a procedure is already running as spoc-group-s1');
      } finally {
        await estate.client.workflow.getHandle('spoc-group-s1').terminate('the test is over');
      }
    },
    { withoutAgents: busy },
  );

  const starts = await childStartsOf(rollout);
  expect(starts.map((s) => s.workflowId)).toEqual(['spoc-group-s1', 'spoc-group-s2', 'spoc-group-s3']);
  expect(new Set(starts.map((s) => s.task)).size).toBe(1);
  const spans = groupSpans(fleet.record.read());
  expect(spans.has('s2') && spans.has('s3')).toBe(true);
  expect(spans.has('s1')).toBe(false);
});

test('with secondsBetweenStarts, the groups start that far apart though the limits would start them all at once', async () => {
  const inventory = rolloutInventory(SPACED_GROUPS);
  const fleet = estate.fleet(inventory);
  const rollout = `rollout-${randomUUID()}`;
  const input = rolloutInput(inventory, ['p1', 'p2', 'p3'], { maxGroupsAtOnce: 3, failureBudget: 1, secondsBetweenStarts: 2 });
  await estate.withWorkers(fleet, async () => {
    await startRollout(estate.client, input, { workflowId: rollout });
    const waiting = await rolloutStatusOf(rollout, (s) => s.counts.running + s.counts.done >= 1);
    expect(waiting.holding).toMatch(/starts are 2 s apart/);
    expect(await estate.client.workflow.getHandle(rollout).result()).toMatchObject({ status: 'done', groups: { done: ['p1', 'p2', 'p3'] } });
  });
  const starts = await childStartsOf(rollout);
  expect(starts.map((s) => s.workflowId)).toEqual(['spoc-group-p1', 'spoc-group-p2', 'spoc-group-p3']);
  // Counted by the server's clock from its record of the previous start, not from when the rollout
  // decided it (a slow workflow task between the two must not shorten the gap): each start but the
  // last came with a 2 s timer in the same workflow task, and the next start was asked after it ran out.
  const timers = spacingTimersOf(await eventsOf(rollout));
  for (let i = 0; i < starts.length - 1; i++) {
    const timer = timers.find((t) => t.task === starts[i]!.task);
    expect(timer).toMatchObject({ seconds: 2 });
    expect(starts[i + 1]!.atMs).toBeGreaterThanOrEqual(timer!.firedAtMs!);
    expect(starts[i + 1]!.atMs - starts[i]!.atMs).toBeGreaterThanOrEqual(2000);
  }
  // The holding text changed twice a start and the counts at each start and end: the search
  // attributes were written only when their values changed (the procedure once, then running, done).
  expect(await searchAttributeWritesOf(rollout)).toEqual([{ SpoolflowProcedure: 'fleet-rollout' }, { SpoolflowStep: 'running', SpoolflowHalted: false }, { SpoolflowStep: 'done', SpoolflowHalted: false }]);
});

test('asks its running groups where they are every pollSeconds, not each time a spaced start wakes it, and so finds a halted group; a due start waits only for its timer, not for a look still running', async () => {
  const inventory = rolloutInventory(LOOKED_AT_GROUPS);
  const fleet = estate.fleet(inventory);
  // l1's SPOC will not stop: its procedure halts, which the rollout learns only by looking.
  fleet.host('spoc-l1-1').setFaults({ services: { [SPOC_SERVICE]: 'wont-stop' } });
  const rollout = `rollout-${randomUUID()}`;
  // Looks fall due with the third start (some 2.1 s after the first), whichever way the tasks run.
  const pollSeconds = 2;
  const input = { ...rolloutInput(inventory, ['l1', 'l2', 'l3', 'l4'], { maxGroupsAtOnce: 4, failureBudget: 2, secondsBetweenStarts: 1 }), pollSeconds };
  // Each look takes longer than the spacing, as a look over many groups on a busy server can: a
  // spacing timer runs out while one is still running.
  const { lookAtGroupProcedures } = createRolloutActivities();
  const slowLook = async (...args: Parameters<typeof lookAtGroupProcedures>) => {
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    return lookAtGroupProcedures(...args);
  };
  await estate.withWorkers(
    fleet,
    async () => {
      await startRollout(estate.client, input, { workflowId: rollout });
      const halted = await rolloutStatusOf(rollout, (s) => s.counts.halted === 1 && s.counts.done === 3);
      expect(halted.groups).toMatchObject({ halted: ['l1'], done: ['l2', 'l3', 'l4'] });
      fleet.host('spoc-l1-1').setFaults({});
      await estate.spoolflow.command('spoc-group-l1', { type: 'operator.abort', operator: 'jdoe', reason: 'seen halted by the rollout' });
      expect(await estate.client.workflow.getHandle(rollout).result()).toMatchObject({ status: 'done', groups: { failed: ['l1'] } });
    },
    { centralActivities: { lookAtGroupProcedures: slowLook } },
  );
  const events = await eventsOf(rollout);
  const starts = childStartsIn(events);
  expect(starts.map((s) => s.workflowId)).toEqual(['spoc-group-l1', 'spoc-group-l2', 'spoc-group-l3', 'spoc-group-l4']);
  // Each look at the time the workflow took it (its task's start): the first a poll after the
  // first start, then a poll apart, though a spaced start's timer woke the rollout every second.
  const taskStartedAt = new Map(events.map((e) => [String(e.eventId), atMsOf(e)]));
  const looks = events.flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    return scheduled?.activityType?.name === 'lookAtGroupProcedures' ? [taskStartedAt.get(String(Number(scheduled.workflowTaskCompletedEventId) - 1))!] : [];
  });
  expect(looks.length).toBeGreaterThanOrEqual(1);
  expect(looks[0]! - taskStartedAt.get(String(Number(starts[0]!.task) - 1))!).toBeGreaterThanOrEqual(pollSeconds * 1000);
  for (let i = 1; i < looks.length; i++) expect(looks[i]! - looks[i - 1]!).toBeGreaterThanOrEqual(pollSeconds * 1000);
  // Each later start was asked in the first workflow task after its spacing timer ran out: nothing
  // holds a due start back, a look still running neither (before, the loop awaited the look).
  const tasksCompleted = events.filter((e) => e.workflowTaskCompletedEventAttributes).map((e) => Number(e.eventId));
  const lookSpans = events.flatMap((e) => {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name !== 'lookAtGroupProcedures') return [];
    const answered = events.find((a) => String(a.activityTaskCompletedEventAttributes?.scheduledEventId) === String(e.eventId));
    return [{ scheduled: Number(e.eventId), answered: Number(answered?.eventId ?? Number.POSITIVE_INFINITY) }];
  });
  const timers = spacingTimersOf(events);
  for (let i = 1; i < starts.length; i++) {
    const firedAt = timers.find((t) => t.task === starts[i - 1]!.task)?.firedEventId;
    expect(firedAt).toBeDefined();
    expect(Number(starts[i]!.task)).toBe(tasksCompleted.find((id) => id > firedAt!));
  }
  // And one of them while a look was running.
  expect(starts.some((start) => lookSpans.some((l) => l.scheduled < Number(start.task) && l.answered > Number(start.task)))).toBe(true);
});

test('spaced starts keep their spacing across a hand-over to a new run: the last start before it counts', async () => {
  const inventory = rolloutInventory(HANDED_OVER_GROUPS);
  const fleet = estate.fleet(inventory);
  const rollout = `rollout-${randomUUID()}`;
  const names = Object.keys(HANDED_OVER_GROUPS) as GroupName[];
  const input = { ...rolloutInput(inventory, names, { maxGroupsAtOnce: 8, failureBudget: 1, secondsBetweenStarts: 1 }), continueAsNewAfterEvents: 50 };
  await estate.withWorkers(fleet, async () => {
    await startRollout(estate.client, input, { workflowId: rollout });
    expect(await estate.client.workflow.getHandle(rollout).result()).toMatchObject({ status: 'done', counts: { done: 8 } });
  });
  const runs = await runHistories(estate.client, rollout);
  const starts = runs.flatMap((events, run) => childStartsIn(events).map((start) => ({ ...start, run })));
  const confirmed = new Map(runs.flatMap((events, run) => [...childConfirmationsIn(events)].map(([id, atMs]) => [id, { atMs, run }] as const)));
  expect(starts.map((s) => s.workflowId)).toEqual(names.map((n) => `spoc-group-${n}`));
  // The case under test happened: a start whose previous one was confirmed in the run before.
  expect(starts.some((s, i) => i > 0 && confirmed.get(starts[i - 1]!.workflowId)!.run < s.run)).toBe(true);
  // Within a run, a start is asked at least the spacing after the one before (its timer ran out
  // between); a run's first start, whose previous start's timer went with the run before, at
  // least the spacing after the server confirmed that start.
  for (let i = 1; i < starts.length; i++) {
    const previous = starts[i - 1]!;
    const from = previous.run === starts[i]!.run ? previous.atMs : confirmed.get(previous.workflowId)!.atMs;
    expect(starts[i]!.atMs - from).toBeGreaterThanOrEqual(1000);
  }
  // What each later run was handed: the time of the last start confirmed before the hand-over (the
  // task that saw the confirmation), which the spacing counts from, not the decision's time.
  for (let run = 1; run < runs.length; run++) {
    const before = [...childConfirmationsIn(runs[run - 1]!).values()];
    const handedOverAt = atMsOf(runs[run - 1]!.at(-1)!);
    const carried = carriedStateOf(runs[run]!) as { lastStartConfirmedAt?: number };
    expect(carried.lastStartConfirmedAt).toBeGreaterThanOrEqual(Math.max(...before));
    expect(carried.lastStartConfirmedAt).toBeLessThanOrEqual(handedOverAt);
  }
});

test('a run that continued as new learns at once that a group an earlier run started has ended, and starts the next in its place, not at its next look', async () => {
  const inventory = rolloutInventory(INHERITED_GROUPS);
  const fleet = estate.fleet(inventory);
  // Without its agents i1 waits at its first step: running, deterministically, until they come.
  const heldBack = ['spoc-i1-1', 'spoc-i1-2'];
  const rollout = `rollout-${randomUUID()}`;
  // No look in the test's time: only the wait on the server can tell the new run that i1 ended.
  const input = { ...rolloutInput(inventory, ['i1', 'i2'], { maxGroupsAtOnce: 1, failureBudget: 1 }), continueAsNewAfterEvents: 50, pollSeconds: 600 };
  await estate.withWorkers(
    fleet,
    async () => {
      await startRollout(estate.client, input, { workflowId: rollout });
      await rolloutStatusOf(rollout, (s) => s.groups.running.includes('i1'));
      // The operator's pauses and resumes fill the history until the rollout hands over.
      for (let i = 0; i < 20 && (await rolloutStatusOf(rollout, () => true)).continuedAsNew === 0; i++) {
        await commandRollout(estate.client, rollout, { type: 'operator.pause', operator: 'jdoe' });
        await commandRollout(estate.client, rollout, { type: 'operator.resume', operator: 'jdoe' });
      }
      const handedOver = await rolloutStatusOf(rollout, (s) => s.continuedAsNew >= 1 && s.status !== 'paused');
      expect(handedOver.groups).toMatchObject({ running: ['i1'], waiting: ['i2'] });
      const stopAgents = await startAgentsLate(estate.temporal, fleet, heldBack);
      try {
        const done = await rolloutStatusOf(rollout, (s) => s.status === 'done', 90_000);
        expect(done).toMatchObject({ counts: { done: 2, failed: 0 } });
      } finally {
        await stopAgents();
      }
    },
    { withoutAgents: heldBack },
  );
  const runs = await runHistories(estate.client, rollout);
  const activities = runs.flatMap((events) => events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []));
  expect(activities).not.toContain('lookAtGroupProcedures');
  // The run that had i1 from the run before waited on the server for its end, and was told.
  const last = runs.at(-1)!;
  const answers = last.flatMap((e) => (e.activityTaskCompletedEventAttributes ? [payloadText(e.activityTaskCompletedEventAttributes.result?.payloads?.[0])] : []));
  expect(answers.some((a) => a.includes('"workflowId":"spoc-group-i1"') && a.includes('"status":"ended"'))).toBe(true);
  expect(childStartsIn(last).map((s) => s.workflowId)).toEqual(['spoc-group-i2']);
});

/** A payload's JSON text, as the default converter wrote it. */
function payloadText(payload: { data?: Uint8Array | null } | null | undefined): string {
  return Buffer.from(payload?.data ?? new Uint8Array()).toString('utf8');
}

/** The state a run was handed by the one before it: its start's second argument. */
function carriedStateOf(events: HistoryEvents): unknown {
  return JSON.parse(payloadText(events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[1]));
}

/** Each search-attribute upsert of the workflow's own (not the SDK's patch markers, TemporalChangeVersion), as the values it wrote. */
async function searchAttributeWritesOf(workflowId: string): Promise<Record<string, unknown>[]> {
  return (await eventsOf(workflowId)).flatMap((e) => {
    const fields = Object.entries(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).filter(([key]) => key !== 'TemporalChangeVersion');
    if (fields.length === 0) return [];
    return [Object.fromEntries(fields.map(([key, payload]) => [key, JSON.parse(payloadText(payload)) as unknown]))];
  });
}
