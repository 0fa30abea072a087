/**
 * The chaos run's fleet rollout checker (chaos/fleet-rollout-invariants.ts) finds more groups open
 * at once than the limits allow (overall and per site), a group's start asked twice, a rollout
 * that did not end, and a result that says other than what the procedures did; and finds nothing
 * in a clean rollout of three units two at a time, one of them aborted, nor in one whose spent
 * failure budget held the last unit back.
 */
import { rolloutBreaks, type RolloutObserved, type RolloutUnitObserved } from '../../chaos/fleet-rollout-invariants';

const unit = (name: string, site: string, startedAtMs?: number, closedAtMs?: number, ending?: string): RolloutUnitObserved => ({
  name,
  site,
  ...(startedAtMs !== undefined ? { startedAtMs } : {}),
  ...(closedAtMs !== undefined ? { closedAtMs } : {}),
  ...(ending !== undefined ? { ending } : {}),
  startsAsked: startedAtMs === undefined ? 0 : 1,
});

/** prague and london together, bratislava's standalone servers once london closed; london aborted by its operator. */
const clean = (): RolloutObserved => ({
  workflowId: 'chaos-rollout',
  limits: { maxGroupsAtOnce: 2, maxGroupsPerSite: 1, failureBudget: 3 },
  units: [unit('prague', 'prague', 0, 9000, 'completed'), unit('london', 'london', 1000, 5000, 'aborted'), unit('standalone:bratislava', 'bratislava', 5100, 12_000, 'completed')],
  ending: 'completed',
  result: { prague: { state: 'done', haltedOnce: false }, london: { state: 'failed', haltedOnce: true }, 'standalone:bratislava': { state: 'done', haltedOnce: false } },
});
const kinds = (rollout: RolloutObserved) => rolloutBreaks(rollout).map((b) => b.invariant);

test('a clean rollout, two at a time, one group aborted, breaks nothing', () => {
  expect(rolloutBreaks(clean())).toEqual([]);
});

test('a failure budget spent holds the last unit back: reported not started, nothing broken', () => {
  const run = clean();
  run.limits.failureBudget = 1;
  run.units[2] = unit('standalone:bratislava', 'bratislava');
  run.result!['standalone:bratislava'] = { state: 'not-started', haltedOnce: false };
  expect(rolloutBreaks(run)).toEqual([]);
});

test('a third group started while two were open is over maxGroupsAtOnce', () => {
  const run = clean();
  run.units[2] = unit('standalone:bratislava', 'bratislava', 4000, 12_000, 'completed');
  expect(kinds(run)).toEqual(['rollout-over-limit']);
  expect(rolloutBreaks(run)[0]!.detail).toMatch(/3 groups open at once when standalone:bratislava started/);
});

test('a halted group still open counts: a start beside it is over the limit though the halted one did nothing', () => {
  const run = clean();
  run.limits.maxGroupsAtOnce = 1;
  run.units = [unit('prague', 'prague', 0, 9000, 'completed'), unit('london', 'london', 8000, 15_000, 'completed')];
  run.result = { prague: { state: 'done', haltedOnce: true }, london: { state: 'done', haltedOnce: false } };
  delete run.result['standalone:bratislava'];
  expect(kinds(run)).toEqual(['rollout-over-limit']);
});

test('two groups of one site open at once is over maxGroupsPerSite', () => {
  const run = clean();
  run.units[1] = { ...run.units[1]!, site: 'prague' };
  expect(kinds(run)).toEqual(['rollout-over-limit']);
  expect(rolloutBreaks(run)[0]!.detail).toMatch(/2 groups of site prague/);
});

test("a group's start asked twice (a replay that started it again) breaks", () => {
  const run = clean();
  run.units[0] = { ...run.units[0]!, startsAsked: 2 };
  expect(kinds(run)).toEqual(['rollout-started-twice']);
});

test('a rollout that did not complete breaks', () => {
  expect(kinds({ ...clean(), ending: 'still running at the run limit', result: undefined })).toEqual(['rollout-not-ended']);
});

test('a result that says other than what the procedures did breaks, each way', () => {
  const doneButAborted = clean();
  doneButAborted.result!.london = { state: 'done', haltedOnce: true };
  expect(rolloutBreaks(doneButAborted).map((b) => b.detail)).toEqual(['chaos-rollout: london is reported done, but its procedure ended aborted']);

  const failedButCompleted = clean();
  failedButCompleted.result!.prague = { state: 'failed', haltedOnce: false };
  expect(kinds(failedButCompleted)).toEqual(['rollout-result-wrong']);

  const notStartedButStarted = clean();
  notStartedButStarted.result!.prague = { state: 'not-started', haltedOnce: false };
  expect(rolloutBreaks(notStartedButStarted)[0]!.detail).toMatch(/prague is reported not started, but its procedure started/);

  const heldBackWithinBudget = clean();
  heldBackWithinBudget.units[2] = unit('standalone:bratislava', 'bratislava');
  heldBackWithinBudget.result!['standalone:bratislava'] = { state: 'not-started', haltedOnce: false };
  expect(rolloutBreaks(heldBackWithinBudget)[0]!.detail).toMatch(/not started though only 1 group\(s\) halted or failed \(failureBudget 3\)/);

  const unnamed = clean();
  delete unnamed.result!.prague;
  expect(kinds(unnamed)).toEqual(['rollout-result-wrong']);
});
