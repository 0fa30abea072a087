/**
 * The runbook's waits are floors: 3 minutes between member starts, about 5 minutes of convergence,
 * 5 minutes of settling after an OS restart, 2 minutes for the group service to start by itself. A
 * shorter wait is refused naming the field and the floor unless the input carries an explicit
 * `waitsOverride` {operator, reason}, which every SPOC procedure keeps in its result.
 */
import path from 'node:path';
import os from 'node:os';
import { initialTransition, transition } from 'xstate';
import { catalogEntries } from '../../../simulator/catalog-entries';
import { refusal } from '../../helpers/input-refusal';
import { SIMULATOR_WAITS_OVERRIDE } from '../../../simulator/example-inputs';
import { validateInput } from '../../../client/procedure-input';
import { procedureById } from '../../../machines/catalog';
import { WAIT_FLOORS } from '../../../machines/spoc/wait-floors';

const member = (host: string) => ({ host, installDir: 'C:\\DP' });
const group = (extra: Record<string, unknown> = {}) => ({ group: 'london', members: [member('spoc-lon-1'), member('spoc-lon-2')], ...extra });
const override = { operator: 'ann', reason: 'test cluster, no users' };


const SPOC_PROCEDURES = [
  'restart-group-without-cache-deletion',
  'restart-group-with-cache-deletion',
  'create-group-from-standalone-spocs',
  'add-spoc-to-group',
  'remove-spoc-from-group',
  'move-spoc-to-another-group',
  'ip-address-changed',
  'restart-os-of-standalone-spocs',
  'restart-os-of-group-members',
  'group-members-restarted-in-parallel',
];

const examples = catalogEntries(undefined, path.join(os.tmpdir(), 'spoolflow-wait-floors-sim'));
const exampleOf = (id: string) => examples.find((e) => e.id === id)?.exampleInput as Record<string, unknown> & { waits: Record<string, number> };

test('the floors are the runbook\'s waits', () => {
  expect(Object.fromEntries(Object.entries(WAIT_FLOORS).map(([k, v]) => [k, v.seconds]))).toEqual({
    betweenStartsSeconds: 180,
    convergenceSeconds: 300,
    settleSeconds: 300,
    groupServiceTimeoutSeconds: 120,
  });
});

describe.each([
  ['restart-group-with-cache-deletion', 'betweenStartsSeconds', 179, 180],
  ['restart-group-without-cache-deletion', 'convergenceSeconds', 10, 300],
  ['restart-group-without-cache-deletion', 'groupServiceTimeoutSeconds', 60, 120],
  ['restart-os-of-group-members', 'settleSeconds', 299, 300],
] as const)('%s: %s', (id, wait, below, floor) => {
  test(`${below} s without an override is refused naming the field and the floor`, () => {
    expect(refusal(id, group({ waits: { [wait]: below } }))).toContain(`waits.${wait}: ${below} s is below the runbook's floor of ${floor} s`);
    expect(refusal(id, group({ waits: { [wait]: below } }))).toContain('a shorter wait needs waitsOverride {operator, reason}');
  });

  test(`${below} s with an override is accepted; ${floor} s and the default need none`, () => {
    expect(refusal(id, group({ waits: { [wait]: below }, waitsOverride: override }))).toBe('');
    expect(refusal(id, group({ waits: { [wait]: floor } }))).toBe('');
    expect(refusal(id, group())).toBe('');
  });
});

test('every SPOC procedure refuses its catalog example\'s short waits without the override', () => {
  for (const id of SPOC_PROCEDURES) {
    const { waitsOverride: _dropped, ...withoutOverride } = exampleOf(id);
    expect(refusal(id, withoutOverride)).toMatch(/waits\.(convergenceSeconds|betweenStartsSeconds|groupServiceTimeoutSeconds|settleSeconds): \d+ s is below the runbook's floor/);
  }
});

test('the quick simulator examples carry the override, saying the simulator runs on scaled time', () => {
  for (const id of SPOC_PROCEDURES) expect(exampleOf(id).waitsOverride).toEqual(SIMULATOR_WAITS_OVERRIDE);
  expect(SIMULATOR_WAITS_OVERRIDE).toMatchObject({ operator: 'spoolflow simulator', reason: expect.stringContaining('scaled time') });
});

test.each([
  [{ operator: '  ', reason: 'test cluster, no users' }, 'waitsOverride.operator: must not be blank'],
  [{ operator: 'ann', reason: '\t \n' }, 'waitsOverride.reason: must'],
  [{ operator: 'ann' }, 'waitsOverride.reason:'],
  [{ operator: 'ann', reason: 'test cluster, no users', until: 'friday' }, 'waitsOverride.until: unknown field'],
])('the wait override %j is refused: %s', (waitsOverride, expected) => {
  expect(refusal('restart-group-without-cache-deletion', group({ waits: { convergenceSeconds: 10 }, waitsOverride }))).toContain(expected);
});

describe('the result keeps the wait override like the load override', () => {
  /** The result of the procedure aborted at its first step: every SPOC procedure ends through the same output. */
  function abortedOutput(id: string, input: unknown) {
    const procedure = procedureById(id);
    const [first] = initialTransition(procedure.machine, validateInput(id, input).input);
    const [end] = transition(procedure.machine, first, { type: 'operator.abort', reason: 'test' });
    expect(end.status).toBe('done');
    return end.output as { waitsOverride: unknown; loadOverride: unknown };
  }

  test.each(SPOC_PROCEDURES)('%s: who, why and the waits below the floors', (id) => {
    const example = exampleOf(id);
    const output = abortedOutput(id, example);
    const shortened = Object.fromEntries(Object.entries(example.waits).filter(([k, v]) => k in WAIT_FLOORS && v < WAIT_FLOORS[k as keyof typeof WAIT_FLOORS].seconds));
    expect(Object.keys(shortened).length).toBeGreaterThan(0);
    expect(output.waitsOverride).toEqual({ ...SIMULATOR_WAITS_OVERRIDE, shortened });
  });

  test('status shows it from the start', () => {
    const procedure = procedureById('restart-group-with-cache-deletion');
    const [first] = initialTransition(procedure.machine, validateInput(procedure.id, group({ waits: { betweenStartsSeconds: 60 }, waitsOverride: override })).input);
    expect(procedure.summarize(first.context as never)).toMatchObject({ waitsOverride: { ...override, shortened: { betweenStartsSeconds: 60 } } });
  });

  test('without an override the result says none', () => {
    expect(abortedOutput('restart-group-without-cache-deletion', group()).waitsOverride).toBeNull();
  });
});
