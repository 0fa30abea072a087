/**
 * The fleet rollout's planner on every script fast-check makes up: groups on a few sites, limits,
 * a window or none, and what happens meanwhile (groups end done or failed, halt and are got going
 * again, the operator pauses and resumes, time passes). After every decision:
 *
 * - never more than N groups running or halted, never more than M of one site;
 * - no group starts once K have halted or failed, none while paused, none outside the window;
 * - in the end (the running groups left to finish, the operator resuming) every group was started
 *   or is reported not started with its reason, and nothing waits.
 *
 * `FC_SEED=<seed> npx jest test/fleet/properties` replays a failure.
 */
import fc from 'fast-check';
import { applyDecision, decideRollout, failuresSpent, occupiesPlace, RolloutGroup, RolloutLimits, RolloutMoment, rolloutFinished } from '../../../machines/fleet/rollout-plan';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const T0 = Date.parse('2026-12-05T22:00:00Z');

type Happening =
  | { kind: 'end'; pick: number; ok: boolean }
  | { kind: 'halt'; pick: number }
  | { kind: 'unhalt'; pick: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'time'; minutes: number };

const happeningArb: fc.Arbitrary<Happening> = fc.oneof(
  fc.record({ kind: fc.constant('end' as const), pick: fc.nat(50), ok: fc.boolean() }),
  fc.record({ kind: fc.constant('halt' as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('unhalt' as const), pick: fc.nat(50) }),
  fc.constant({ kind: 'pause' as const }),
  fc.constant({ kind: 'resume' as const }),
  fc.record({ kind: fc.constant('time' as const), minutes: fc.integer({ min: 1, max: 60 }) }),
);

const scenarioArb = fc.record({
  sites: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }),
  limits: fc.record({ maxGroupsAtOnce: fc.integer({ min: 1, max: 5 }), maxGroupsPerSite: fc.integer({ min: 1, max: 3 }), failureBudget: fc.integer({ min: 1, max: 4 }) }),
  window: fc.option(fc.record({ opensIn: fc.integer({ min: -30, max: 60 }), lasts: fc.integer({ min: 1, max: 240 }) }), { nil: undefined }),
  script: fc.array(happeningArb, { maxLength: 60 }),
});

/** Checks one decision against the rules, and returns the groups after it. */
function decideAndCheck(groups: RolloutGroup[], limits: RolloutLimits, moment: RolloutMoment): RolloutGroup[] {
  const decision = decideRollout(groups, limits, moment);
  if (decision.start.length > 0) {
    expect(failuresSpent(groups)).toBeLessThan(limits.failureBudget);
    expect(moment.paused).toBe(false);
    if (moment.window) expect(moment.now >= moment.window.start && moment.now < moment.window.end).toBe(true);
  }
  for (const name of decision.start) expect(groups.find((g) => g.name === name)?.state).toBe('waiting');
  for (const n of decision.notStarted) expect(n.reason).not.toBe('');
  const after = applyDecision(groups, decision);
  const busy = after.filter(occupiesPlace);
  expect(busy.length).toBeLessThanOrEqual(limits.maxGroupsAtOnce);
  for (const site of new Set(busy.map((g) => g.site))) expect(busy.filter((g) => g.site === site).length).toBeLessThanOrEqual(limits.maxGroupsPerSite);
  return after;
}

function happen(groups: RolloutGroup[], h: Happening): RolloutGroup[] {
  const inState = (state: RolloutGroup['state']) => groups.filter((g) => g.state === state);
  const pick = (list: RolloutGroup[], n: number) => (list.length > 0 ? list[n % list.length] : undefined);
  const change = (target: RolloutGroup | undefined, c: Partial<RolloutGroup>) => groups.map((g) => (g === target ? { ...g, ...c } : g));
  if (h.kind === 'end') return change(pick(inState('running'), h.pick), h.ok ? { state: 'done' } : { state: 'failed', reason: 'failed' });
  if (h.kind === 'halt') return change(pick(inState('running'), h.pick), { state: 'halted', haltedOnce: true });
  if (h.kind === 'unhalt') return change(pick(inState('halted'), h.pick), { state: 'running' });
  return groups;
}

test('within N and M, never after K failures, while paused or outside the window; every group started or reported', () => {
  fc.assert(
    fc.property(scenarioArb, ({ sites, limits, window, script }) => {
      let groups: RolloutGroup[] = sites.map((s, i) => ({ name: `g${i}`, site: `site${s}`, state: 'waiting' }));
      const win = window ? { start: T0 + window.opensIn * 60_000, end: T0 + (window.opensIn + window.lasts) * 60_000 } : undefined;
      let moment: RolloutMoment = { now: T0, paused: false, ...(win ? { window: win } : {}) };
      const everStarted = new Set<string>();
      const step = () => {
        const before = new Set(groups.filter((g) => g.state === 'waiting').map((g) => g.name));
        groups = decideAndCheck(groups, limits, moment);
        for (const g of groups) if (before.has(g.name) && g.state === 'running') everStarted.add(g.name);
      };
      for (const h of script) {
        step();
        if (h.kind === 'pause' || h.kind === 'resume') moment = { ...moment, paused: h.kind === 'pause' };
        else if (h.kind === 'time') moment = { ...moment, now: moment.now + h.minutes * 60_000 };
        else groups = happen(groups, h);
      }
      // The end: the operator resumes and gets every halted group going; running ones finish; time passes.
      moment = { ...moment, paused: false };
      for (let round = 0; round < 500 && !rolloutFinished(groups); round++) {
        step();
        groups = groups.map((g) => (occupiesPlace(g) ? { ...g, state: 'done' } : g));
        moment = { ...moment, now: moment.now + 10 * 60_000 };
      }
      expect(rolloutFinished(groups)).toBe(true);
      for (const g of groups) {
        if (g.state === 'not-started') expect(g.reason).toMatch(/failure budget|window ended/);
        else expect(everStarted.has(g.name)).toBe(true);
      }
    }),
    { numRuns: 300, ...(seed !== undefined ? { seed } : {}) },
  );
});
