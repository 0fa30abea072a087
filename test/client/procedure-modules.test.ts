/**
 * The light registries `spoolflow start`, `list` and `watch` read instead of the whole catalog are
 * the catalog's own: one input schema and machine loader per procedure, each giving the very
 * schema and machine the catalog holds; what starting needs (machines/procedure-starts.ts) in the
 * catalog's order; the startable ids (machines/startable-ids.ts) those of machines/startable.ts.
 * A procedure added to the catalog without its loaders, or a startable id left out, fails here.
 */
import { INPUT_SCHEMA_LOADERS, MACHINE_LOADERS, procedureMachine, validateStartInput } from '../../client/procedure-modules';
import { validateInput } from '../../client/procedure-input';
import { PROCEDURES, procedureById } from '../../machines/catalog';
import { PROCEDURE_IDS, PROCEDURE_STARTS, procedureStartById } from '../../machines/procedure-starts';
import { STARTABLE, startableById } from '../../machines/startable';
import { startableId, STARTABLE_IDS } from '../../machines/startable-ids';
import { catalogEntries } from '../../simulator/catalog-entries';

const ids = PROCEDURES.map((p) => p.id);
const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
};

test('every procedure of the catalog, and only those, has an input schema and a machine loader', () => {
  expect(Object.keys(INPUT_SCHEMA_LOADERS).sort()).toEqual([...ids].sort());
  expect(Object.keys(MACHINE_LOADERS).sort()).toEqual([...ids].sort());
});

test.each(ids)("the loaders of %s give the catalog's own schema and machine", async (id) => {
  const { machine, inputSchema } = await procedureMachine(id);
  expect(inputSchema).toBe(procedureById(id).inputSchema);
  expect(machine).toBe(procedureById(id).machine);
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
