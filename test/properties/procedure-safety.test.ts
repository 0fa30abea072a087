/**
 * Issue 8, "Proven on every path": property-based tests of the SPOC procedures. fast-check
 * generates inputs (group sizes 2-9, other-service lists and which of them run, waits, a load
 * override or none) and scripts of what happens while a procedure runs (effects that succeed or
 * fail, timers, operator commands where the machine accepts them, crashes of the workflow process
 * after which the machine is rebuilt from its persisted snapshot); the real machine runs against
 * a model of its hosts (test/helpers/model-estate.ts, procedure-driver.ts), and on every run:
 *
 * - never two members of a group down at once in the one-at-a-time procedures (the restart
 *   without cache deletion, the OS restart of group members, and the original group when a SPOC
 *   is added to a group of three or more);
 * - in the restarts with cache deletion: a cache is deleted only with the SPOC of that host and of
 *   every host of the block stopped, never outside such a block, and the starts go one member at
 *   a time (a member is started only when the one before is fully up);
 * - no protected service is stopped or started by any effect;
 * - every service stopped is started again, or listed as left stopped in the result;
 * - no step answered done is asked for again, after a crash or otherwise, unless the operator
 *   asked for it; the state rebuilt after a crash is the state before it.
 *
 * A failure prints fast-check's seed and the shrunk script with the trail of events that broke the
 * rule; `FC_SEED=<seed> npx jest test/properties` replays it.
 */
import fc from 'fast-check';
import { procedureById } from '../../machines/catalog';
import { describeIssues } from '../../machines/input-errors';
import { ModelEstate } from '../helpers/model-estate';
import { Move, movesArb, MoveWeights, runProcedure } from '../helpers/procedure-driver';
import { ALL_CASES, Generated, ORDINARY_OTHER_SERVICES, ProcedureCase, RESTART_OS_OF_GROUP_MEMBERS, RESTART_OS_OF_STANDALONE_SPOCS } from './procedure-cases';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 80);

/**
 * The procedure's own schema parses the generated input. Where a later rule refuses the generated
 * waits (e.g. floors that need an override), the run goes on with the default waits, which the
 * model does not depend on.
 */
function parseGenerated(c: ProcedureCase, raw: unknown): { ok: true; input: unknown } | { ok: false; why: string } {
  const schema = procedureById(c.id).inputSchema;
  const first = schema.safeParse(raw);
  if (first.success) return { ok: true, input: first.data };
  const { waits: _waits, ...withoutWaits } = raw as Record<string, unknown>;
  const second = schema.safeParse(withoutWaits);
  if (second.success) return { ok: true, input: second.data };
  return { ok: false, why: describeIssues(first.error.issues) };
}

/** One run: the procedure on its generated input against its hosts, following the script. */
function runOnce(c: ProcedureCase, g: Generated, moves: Move[], weights: MoveWeights) {
  const parsed = parseGenerated(c, g.raw);
  if (!parsed.ok) throw new Error(`the generator made an input ${c.id} refuses (${parsed.why}): fix the generator`);
  const estate = new ModelEstate(g.hosts);
  const result = runProcedure(procedureById(c.id).machine, parsed.input, estate, g.spec(parsed.input as never), moves, weights);
  if (c === RESTART_OS_OF_GROUP_MEMBERS && result.cachesDeleted.size > 0 && estate.parallelRestartsReported === 0) {
    throw new Error(`the OS restart of group members deleted caches (${[...result.cachesDeleted].join(', ')}) though no parallel restart was seen`);
  }
  return result;
}

const FAULTS_AND_CRASHES: MoveWeights = { faults: true, actingFaults: false, crashes: true };

describe('every SPOC procedure keeps the safety rules under generated inputs, faults, operator commands and crashes', () => {
  test.each(ALL_CASES.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    fc.assert(
      fc.property(c.generated(ORDINARY_OTHER_SERVICES), movesArb(FAULTS_AND_CRASHES), (g, moves) => {
        runOnce(c, g, moves, FAULTS_AND_CRASHES);
      }),
      { numRuns: NUM_RUNS, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});

/**
 * Names that are protected services under another spelling (issue 8): key names, another version
 * of the bundled PostgreSQL, the older product name, a double space, a no-break space.
 */
const PROTECTED_IN_DISGUISE = [
  'YSoftSQ-Management',
  'YSoftSQ-PGSQL',
  'YSoftEtcd',
  'Dispatcher Paragon Bundled PostgreSQL 12',
  'YSoft SafeQ Management Service',
  'Dispatcher Paragon  Management Service',
  'Dispatcher Paragon\u00a0Bundled Etcd',
];

const GROUP_CASES = ALL_CASES.filter((c) => c !== RESTART_OS_OF_STANDALONE_SPOCS);

/**
 * KNOWN FAILING on the code this branch started from (afe2844): the input accepts these names
 * (only three exact display names are refused) and step 3 stops them. Helper C's protected-name
 * rule (machines/spoc-services.ts) is meant to refuse them at the input or never touch them;
 * once it is merged this property holds and `test.failing` reports that: turn it into `test`.
 */
test.failing('no procedure stops or starts a protected service named another way (key name, other version, old product name, odd spaces): it is refused at the input or left alone', () => {
  const services = [...ORDINARY_OTHER_SERVICES, ...PROTECTED_IN_DISGUISE];
  const arb = fc.constantFrom(...GROUP_CASES).chain((c) => c.generated(services).map((g) => [c, g] as const));
  fc.assert(
    fc.property(arb, movesArb(FAULTS_AND_CRASHES), ([c, g], moves) => {
      const parsed = parseGenerated(c, g.raw);
      if (!parsed.ok) return; // refused before anything runs: nothing touched
      runProcedure(procedureById(c.id).machine, parsed.input, new ModelEstate(g.hosts), g.spec(parsed.input as never), moves, FAULTS_AND_CRASHES);
    }),
    { numRuns: 60, seed: seed ?? 8 },
  );
});

/**
 * Scripts that answer `n` effects, then the one in flight acts on its host and its answer is
 * lost (the operator aborts while it runs, or it fails after it acted), then the operator aborts.
 */
const actedThenAbort = fc.record({ n: fc.integer({ min: 2, max: 70 }), failsAfterActing: fc.boolean(), variant: fc.nat(4) }).map(({ n, failsAfterActing, variant }): Move[] => [
  ...Array.from({ length: n }, (): Move => ({ kind: 'answer', pick: 0, mode: 'done', variant: 0 })),
  failsAfterActing ? { kind: 'answer', pick: 0, mode: 'fail-after-acting', variant: variant + 1 } : { kind: 'operator', command: 'abort', acted: true },
  { kind: 'operator', command: 'abort', acted: false },
]);

const ACTING: MoveWeights = { faults: true, actingFaults: true, crashes: true };

/**
 * KNOWN FAILING (a finding of these properties, not fixed here): a stop that acted on the host
 * but was not answered done (it failed after the service stopped, e.g. a timeout while it was
 * stopping; or the operator aborted while it ran) is not in the context's `down`, so the abort
 * does not start that service again and the result does not list it. Counterexample: restart
 * without cache deletion, the SPOC of spoc-1 stopping when the operator aborts: the procedure
 * ends `aborted` with `leftStopped: {}` and the SPOC stopped. When the machines count a service
 * as possibly stopped from the moment its stop is asked for, turn this into `test`.
 */
test.failing('an abort starts again (or lists) a service whose stop acted but was never answered done', () => {
  const arb = fc.constantFrom(...GROUP_CASES).chain((c) => c.generated(ORDINARY_OTHER_SERVICES).map((g) => [c, g] as const));
  fc.assert(
    fc.property(arb, actedThenAbort, ([c, g], moves) => {
      runOnce(c, g, moves, ACTING);
    }),
    { numRuns: 60, seed: seed ?? 8 },
  );
});
