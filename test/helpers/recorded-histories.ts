/**
 * The recorded histories the replay test runs: one JSON file per workflow run under
 * test/histories/, named `<workflowType>--<scenario>[--run<N>].json`.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

export interface RecordedHistory {
  file: string;
  workflowType: string;
  history: temporal.api.history.v1.IHistory;
}

export function loadRecordedHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      workflowType: file.split('--')[0] as string,
      history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))),
    }));
}

export function saveRecordedHistory(name: string, history: temporal.api.history.v1.IHistory, dir = HISTORIES_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
  return file;
}
