/**
 * `spoolflow catalog --schemas <dir>`: one JSON Schema file per procedure input,
 * `<procedure-id>.schema.json`, for systems in other languages that start procedures with their own
 * Temporal SDK and want to check or generate their input types. The schemas are the catalog's
 * (`z.toJSONSchema` of each procedure's zod schema, as `spoolflow catalog` prints them), with the
 * procedure's id as title and its description, so a file says what it is for on its own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogEntry } from '../simulator/catalog-entries';

/** One schema file written: which procedure, where, and the workflow type and queue to start it with. */
export interface WrittenSchema {
  id: string;
  workflowType: string;
  taskQueue: string;
  file: string;
}

/** The file name of a procedure's input schema. */
export const schemaFileName = (procedureId: string): string => `${procedureId}.schema.json`;

/**
 * Writes every entry's input schema into `dir` (created if missing; files of the same name are
 * replaced, nothing else in the folder is touched) and returns what it wrote.
 */
export function writeCatalogSchemas(dir: string, entries: CatalogEntry[]): WrittenSchema[] {
  if (dir.trim() === '') throw new Error('--schemas needs a folder');
  mkdirSync(dir, { recursive: true });
  return entries.map((entry) => {
    const file = path.resolve(dir, schemaFileName(entry.id));
    const schema = { ...(entry.inputSchema as Record<string, unknown>), title: entry.id, description: entry.description };
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    return { id: entry.id, workflowType: entry.workflowType, taskQueue: entry.taskQueue, file };
  });
}
