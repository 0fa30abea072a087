/**
 * The light registries `spoolflow start`, `list`, `watch` and the procedure workflows read instead
 * of the whole catalog are the catalog's own: one input schema, machine and summary loader per
 * procedure (machines/procedure-modules.ts), each giving the very one the catalog holds; what starting needs (machines/procedure-starts.ts) in the
 * catalog's order; the startable ids (machines/startable-ids.ts) those of machines/startable.ts.
 * A procedure added to the catalog without its loaders, or a startable id left out, fails here.
 * (The type check names most of these first: machines/catalog.ts and the loaders' types.)
 */
import { procedureMachine, validateStartInput } from '../../client/procedure-modules';
import { PROCEDURE_MODULES, procedureDefinition } from '../../machines/procedure-modules';
import { validateInput } from '../../client/procedure-input';
import { PROCEDURES, procedureById } from '../../machines/catalog';
import { PROCEDURE_IDS, PROCEDURE_STARTS, procedureStartById } from '../../machines/procedure-starts';
import { STARTABLE, startableById } from '../../machines/startable';
import { startableId, STARTABLE_IDS } from '../../machines/startable-ids';
import { catalogEntries } from '../../simulator/catalog-entries';
import { FLEET_ROLLOUT } from '../../machines/fleet/fleet-rollout';
import * as workflows from '../../workflows';

const ids = PROCEDURES.map((p) => p.id);
const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
};

/** Every place a new procedure must be entered in, with the procedure ids it has. */
const PLACES: [string, readonly string[]][] = [
  ['machines/procedure-starts.ts (PROCEDURE_STARTS)', Object.keys(PROCEDURE_STARTS)],
  ['machines/catalog.ts (PROCEDURES)', ids],
  ['machines/procedure-modules.ts (PROCEDURE_MODULES)', Object.keys(PROCEDURE_MODULES)],
  ['machines/startable-ids.ts (STARTABLE_IDS)', STARTABLE_IDS.filter((id) => id !== FLEET_ROLLOUT.id)],
  ['workflows/index.ts (a workflow function named by its workflowType)', PROCEDURES.filter((p) => typeof (workflows as Record<string, unknown>)[p.workflowType] === 'function').map((p) => p.id)],
];

test('no place a procedure is entered in lacks one that another has', () => {
  const everywhere = [...new Set(PLACES.flatMap(([, has]) => has))];
  const missing = PLACES.flatMap(([place, has]) => everywhere.filter((id) => !has.includes(id)).map((id) => `${id} is missing in ${place}`));
  expect(missing).toEqual([]);
});

test.each(ids)("the loaders of %s give the catalog's own schema, machine, summary and refusals, to the workflow and to the client", async (id) => {
  const { machine, inputSchema } = await procedureMachine(id);
  expect(inputSchema).toBe(procedureById(id).inputSchema);
  expect(machine).toBe(procedureById(id).machine);
  const { summarize, refusalOf, ...definition } = procedureDefinition(id);
  expect(summarize).toBe(procedureById(id).summarize);
  expect(refusalOf).toBe(procedureById(id).refusalOf);
  expect(definition).toEqual({ ...PROCEDURE_STARTS[id], inputSchema: procedureById(id).inputSchema, machine: procedureById(id).machine });
});

test("an unknown procedure gets the catalog's error from the workflow's loader too", () => {
  expect(messageOf(() => procedureDefinition('nope'))).toBe(messageOf(() => procedureById('nope')));
});

test("what starting a procedure needs is the catalog's, in the catalog's order, with the catalog's error for an unknown id", () => {
  expect(PROCEDURE_IDS).toEqual(ids);
  for (const procedure of PROCEDURES) expect(PROCEDURE_STARTS[procedure.id]).toEqual(expect.objectContaining({ id: procedure.id, workflowType: procedure.workflowType, hostsOf: procedure.hostsOf, changes: procedure.changes }));
  expect(messageOf(() => procedureStartById('nope'))).toBe(messageOf(() => procedureById('nope')));
});

test('a start validates each example input with its own schema as the catalog does, and refuses as the catalog does', async () => {
  for (const entry of catalogEntries().filter((e) => e.id !== 'fleet-rollout')) {
    const { procedure, input } = await validateStartInput(entry.id, entry.exampleInput);
    expect({ id: procedure.id, input }).toEqual({ id: entry.id, input: validateInput(entry.id, entry.exampleInput).input });
  }
  await expect(validateStartInput('restart-group-without-cache-deletion', { group: 'x' })).rejects.toThrow(messageOf(() => validateInput('restart-group-without-cache-deletion', { group: 'x' })));
  await expect(validateStartInput('nope', {})).rejects.toThrow(messageOf(() => procedureById('nope')));
});

test("the startable ids are machines/startable.ts's, in its order, with its error for an unknown id", () => {
  expect(STARTABLE_IDS).toEqual(STARTABLE.map((s) => s.id));
  expect(startableId('fleet-rollout')).toBe('fleet-rollout');
  expect(messageOf(() => startableId('nope'))).toBe(messageOf(() => startableById('nope')));
});
