/**
 * Issue 8, "Proven on every path": property-based tests of the SPOC procedures. fast-check
 * generates inputs the strict schemas accept (group sizes 2-9, the vendor services each host runs
 * and an `otherServices` list narrowing step 3's survey or none, services of others such as Print
 * Spooler, waits with a `waitsOverride` where below the runbook's floors, a load override or
 * none) and scripts of what happens while a procedure runs (effects that succeed or
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
 * - no protected service, and no service that is not the vendor's, is stopped or started by any
 *   effect; where the input lists a host's other services, no other vendor service is touched there;
 * - every service stopped is started again, or listed as left stopped in the result;
 * - no step that changes a host (stop, start, cache deletion, OS restart) answered done is asked
 *   for again, after a crash or otherwise, unless the operator asked for it (read-only steps, such
 *   as the preflight a retry runs on every host again, may be); the state rebuilt after a crash is
 *   the state before it.
 *
 * A failure prints fast-check's seed and the shrunk script with the trail of events that broke the
 * rule; `FC_SEED=<seed> npx jest test/properties` replays it.
 */
import fc from 'fast-check';
import { procedureById } from '../../../machines/catalog';
import { describeIssues } from '../../../machines/core/input-errors';
import { ModelEstate } from '../../helpers/model-estate';
import { Move, movesArb, MoveWeights, runProcedure } from '../../helpers/procedure-driver';
import { ALL_CASES, Generated, ORDINARY, ORDINARY_OTHER_SERVICES, ProcedureCase, RESTART_OS_OF_GROUP_MEMBERS, RESTART_OS_OF_STANDALONE_SPOCS, ServiceMix } from './procedure-cases';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 80);

/** The procedure's own schema parses the generated input; the generators make only inputs it accepts. */
function parseGenerated(c: ProcedureCase, raw: unknown): { ok: true; input: unknown } | { ok: false; why: string } {
  const parsed = procedureById(c.id).inputSchema.safeParse(raw);
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, why: describeIssues(parsed.error.issues) };
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
      fc.property(c.generated(ORDINARY), movesArb(FAULTS_AND_CRASHES), (g, moves) => {
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
 * These names are installed and running on the hosts; an input may list them (then it is refused)
 * or not (then step 3's survey must leave them out). Failed before helper C's protected-name rule
 * (machines/spoc/spoc-services.ts): the input accepted them and step 3 stopped them.
 */
test('no procedure stops or starts a protected service named another way (key name, other version, old product name, odd spaces): it is refused at the input or left alone', () => {
  const installed = [...ORDINARY_OTHER_SERVICES, ...PROTECTED_IN_DISGUISE];
  // Half the runs may list them (refused at the input); half list only ordinary ones, so the procedure runs and step 3's survey must leave them out.
  const mixes: ServiceMix[] = [{ installed, listable: installed }, { installed, listable: ORDINARY_OTHER_SERVICES }];
  const arb = fc.constantFrom(...GROUP_CASES).chain((c) => fc.constantFrom(...mixes).chain((mix) => c.generated(mix)).map((g) => [c, g] as const));
  fc.assert(
    fc.property(arb, movesArb(FAULTS_AND_CRASHES), ([c, g], moves) => {
      const parsed = parseGenerated(c, g.raw);
      if (!parsed.ok) {
        // Refused before anything runs, nothing touched; but only for naming a protected service.
        if (!/protected/.test(parsed.why)) throw new Error(`the generator made an input ${c.id} refuses (${parsed.why}): fix the generator`);
        return;
      }
      runProcedure(procedureById(c.id).machine, parsed.input, new ModelEstate(g.hosts), g.spec(parsed.input as never), moves, FAULTS_AND_CRASHES);
    }),
    { numRuns: 60, seed: seed ?? 8 },
  );
});

/**
 * Scripts that answer `n` effects, then the one in flight acts on its host and its answer is
 * lost (the operator aborts while it runs, or it fails after it acted), then the operator aborts;
 * the restore's first start may find a service that will not start.
 */
const actedThenAbort = fc
  .record({ n: fc.integer({ min: 2, max: 70 }), failsAfterActing: fc.boolean(), variant: fc.nat(4), restore: fc.constantFrom(0, 2) })
  .map(({ n, failsAfterActing, variant, restore }): Move[] => [
    ...Array.from({ length: n }, (): Move => ({ kind: 'answer', pick: 0, mode: 'done', variant: 0 })),
    failsAfterActing ? { kind: 'answer', pick: 0, mode: 'fail-after-acting', variant: variant + 1 } : { kind: 'operator', command: 'abort', acted: true },
    { kind: 'operator', command: 'abort', acted: false },
    // The restore's first start: with variant 2 a service will not start and must be reported.
    { kind: 'answer', pick: 0, mode: 'done', variant: restore },
  ]);

const ACTING: MoveWeights = { faults: true, actingFaults: true, crashes: true };

/**
 * A finding of these properties: a stop that acted on the host but was not answered done (it
 * failed after the service stopped, e.g. a timeout while it was stopping; or the operator aborted
 * while it ran) was not in the context's `down`, so the abort did not start that service again
 * and the result did not list it (restart without cache deletion, the SPOC of spoc-1 stopping when
 * the operator aborts: `aborted` with `leftStopped: {}` and the SPOC stopped). The stop steps now
 * count their services as possibly down from the moment the stop is asked for.
 */
test('an abort starts again (or lists) a service whose stop acted but was never answered done', () => {
  const arb = fc.constantFrom(...GROUP_CASES).chain((c) => c.generated(ORDINARY).map((g) => [c, g] as const));
  fc.assert(
    fc.property(arb, actedThenAbort, ([c, g], moves) => {
      runOnce(c, g, moves, ACTING);
    }),
    { numRuns: 60, seed: seed ?? 8 },
  );
});
