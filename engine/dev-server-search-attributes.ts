/**
 * The custom search attributes a dev server's namespace must have, checked and registered through
 * the operator service.
 */
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';

/** Search attribute types accepted by `start-dev --search-attribute` and the operator service. */
export type DevServerSearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

/** Values of `temporal.api.enums.v1.IndexedValueType`; inlined to avoid depending on @temporalio/proto directly. */
export const INDEXED_VALUE_TYPE: Record<DevServerSearchAttributeType, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** The same types as named by `@temporalio/common`, for `TestWorkflowEnvironment.createLocal`. */
export const SDK_SEARCH_ATTRIBUTE_TYPE: Record<DevServerSearchAttributeType, SearchAttributeType> = {
  Text: 'TEXT',
  Keyword: 'KEYWORD',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
  KeywordList: 'KEYWORD_LIST',
};

function typeName(value: unknown): string {
  const entry = Object.entries(INDEXED_VALUE_TYPE).find(([, n]) => n === value);
  return entry ? entry[0] : String(value);
}

/**
 * Makes sure every requested search attribute exists with the requested type.
 *
 * Needed because `start-dev --search-attribute` only registers attributes for namespaces it
 * creates in that run: on an existing SQLite file, newly added attributes are silently ignored.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  wanted: Record<string, DevServerSearchAttributeType>,
  dbPath: string,
  log: (m: string) => void,
): Promise<void> {
  const names = Object.keys(wanted);
  if (names.length === 0) return;
  const list = async () =>
    (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};

  const existing = await list();
  const missing: Record<string, number> = {};
  for (const name of names) {
    const want = INDEXED_VALUE_TYPE[wanted[name]!];
    const have = existing[name];
    if (have === undefined || have === null) {
      missing[name] = want;
    } else if (have !== want) {
      throw new Error(
        `search attribute ${name} is registered as ${typeName(have)} in namespace "${namespace}" of ${dbPath}, ` +
          `but ${wanted[name]} was requested; types cannot be changed in place, so use a new attribute name, ` +
          `or delete ${dbPath} to start over (this loses all workflow history)`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;

  log(`registering search attributes ${Object.keys(missing).join(', ')} in namespace "${namespace}" (new since this data dir was created)`);
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  // Registration goes through a system workflow; poll until it is visible rather than assume.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await list();
    const still = Object.keys(missing).filter((n) => now[n] === undefined);
    if (still.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`search attributes ${still.join(', ')} did not appear in namespace "${namespace}" within 30 s after registering them; check ${path.dirname(dbPath)}/temporal-server.log`);
    }
    await sleep(200);
  }
}
