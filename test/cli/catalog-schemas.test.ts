import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { schemaFileName, writeCatalogSchemas } from '../../cli/catalog-schemas';
import { PROCEDURES } from '../../machines/catalog';
import { STARTABLE } from '../../machines/startable';
import { catalogEntries } from '../../simulator/catalog-entries';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-schemas-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface WrittenJsonSchema {
  $schema?: string;
  title?: string;
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
  additionalProperties?: unknown;
}

const read = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as WrittenJsonSchema;

/** The keys of a procedure's input, and those an input must give (no default, not optional). */
function zodKeys(schema: z.ZodType): { keys: string[]; required: string[] } {
  if (!(schema instanceof z.ZodObject)) throw new Error('a procedure input is an object');
  const shape = schema.shape as Record<string, z.ZodType>;
  const keys = Object.keys(shape);
  return { keys: [...keys].sort(), required: keys.filter((k) => !shape[k]?.safeParse(undefined).success).sort() };
}

test('one <procedure-id>.schema.json per procedure, and nothing else', () => {
  const written = writeCatalogSchemas(dir, catalogEntries());
  expect(readdirSync(dir).sort()).toEqual(STARTABLE.map((p) => schemaFileName(p.id)).sort());
  expect(written.map((w) => w.id)).toEqual(STARTABLE.map((p) => p.id));
  expect(written.map((w) => path.basename(w.file))).toEqual(STARTABLE.map((p) => `${p.id}.schema.json`));
  expect(written.find((w) => w.id === 'supervise-passive-cluster')).toMatchObject({ workflowType: 'supervisePassiveCluster', taskQueue: 'spoolflow-central' });
});

test.each(PROCEDURES.map((p) => [p.id, p] as const))('%s: a JSON Schema (2020-12) whose properties and required keys are the zod schema\'s', (id, procedure) => {
  writeCatalogSchemas(dir, catalogEntries());
  const schema = read(schemaFileName(id));
  const { keys, required } = zodKeys(procedure.inputSchema);
  expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  expect(schema.title).toBe(id);
  expect(schema.type).toBe('object');
  // Unknown keys are refused by the procedure, and so by the schema.
  expect(schema.additionalProperties).toBe(false);
  expect(Object.keys(schema.properties ?? {}).sort()).toEqual(keys);
  expect([...(schema.required ?? [])].sort()).toEqual(required);
});

test('the folder is created when missing; files of other names in it are left alone', () => {
  const nested = path.join(dir, 'schemas', 'spoolflow');
  writeCatalogSchemas(dir, catalogEntries().slice(0, 1));
  writeCatalogSchemas(nested, catalogEntries());
  expect(readdirSync(nested)).toHaveLength(STARTABLE.length);
  expect(readdirSync(dir).filter((f) => f.endsWith('.schema.json'))).toHaveLength(1);
});
