/**
 * examples/ has one example per procedure of the catalog (README "From another TypeScript
 * project"), and each example's input is one its procedure accepts: tsc checks their types against
 * `spoolflow/client`, this checks the values against the schemas, as `start` would. The inputs are
 * the catalog's example inputs, written into the files by `npm run examples`
 * (scripts/update-examples.ts): an example left behind by a change to the catalog fails here.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { validateInput } from '../../client/procedure-input';
import { PROCEDURES } from '../../machines/catalog';
import { exampleUpdates } from '../../scripts/update-examples';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

test('every procedure of the catalog has an example, and every example is of a procedure', () => {
  const examples = readdirSync(EXAMPLES)
    .filter((file) => file.endsWith('.ts') && file !== 'run-procedure.ts')
    .map((file) => file.replace(/\.ts$/, ''));
  expect(examples.sort()).toEqual(PROCEDURES.map((p) => p.id).sort());
});

test.each(PROCEDURES.map((p) => p.id))('the example of %s has an input its schema accepts', async (id) => {
  const { input } = (await import(path.join(EXAMPLES, `${id}.ts`))) as { input: unknown };
  expect(() => validateInput(id, input)).not.toThrow();
});

test("every example's input is the catalog's example input, as `npm run examples` writes it", () => {
  const outdated = exampleUpdates()
    .filter((u) => u.change !== 'unchanged')
    .map((u) => `examples/${u.id}.ts (${u.change === 'created' ? 'missing' : 'input differs from the catalog'})`);
  if (outdated.length > 0) throw new Error(`out of date with the catalog: ${outdated.join(', ')}; run \`npm run examples\` and commit the files`);
});
