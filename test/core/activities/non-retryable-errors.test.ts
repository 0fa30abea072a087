/**
 * One list of the failures a retry cannot fix, and every error class of activities/ held to it:
 * a class documented as not retryable is in the list, a class documented as retryable is not, and
 * the name a class carries across the wire is its own. The retry policy of every step uses the list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NON_RETRYABLE_ERRORS } from '../../../activities/core/non-retryable-errors';
import type { Effect } from '../../../machines/core/effects';
import { activityOptionsFor } from '../../../workflows/runtime/activity-options';
import { CENTRAL_TASK_QUEUE, hostTaskQueue } from '../../../workflows/task-queues';

const ACTIVITIES = path.join(__dirname, '..', '..', '..', 'activities');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

interface ErrorClassFound {
  className: string;
  wireName: string;
  doc: string;
  file: string;
}

/** A stand-in for any constructor argument: a message, a details object, a verb. */
const anything = new Proxy(
  { service: 'service', operation: 'query', output: '', toString: () => 'message' },
  { get: (target, key) => (key in target ? target[key as keyof typeof target] : undefined) },
);

/** Every exported Error subclass of activities/, with the name it carries and its TSDoc. */
function errorClasses(): ErrorClassFound[] {
  const found: ErrorClassFound[] = [];
  for (const file of sourceFiles(ACTIVITIES)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- every module of the folder, by path
    const exports = require(file) as Record<string, unknown>;
    const source = readFileSync(file, 'utf8');
    for (const [exported, value] of Object.entries(exports)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      const Class = value as new (...args: unknown[]) => Error;
      const instance = new Class(anything, anything, anything, anything, anything);
      const doc = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export class ${exported}\\b`).exec(source)?.[1] ?? '';
      found.push({ className: exported, wireName: instance.name, doc: doc.replace(/\s*\n\s*\*\s*/g, ' '), file: path.relative(ACTIVITIES, file) });
    }
  }
  return found;
}

const NOT_RETRYABLE_DOC = /\bnot retryable\b|\ba retry cannot fix\b|\bno retry can fix\b/i;
const RETRYABLE_DOC = /(?<!not )\bretryable\b/i;

describe('the non-retryable errors', () => {
  const classes = errorClasses();
  const listed: readonly string[] = NON_RETRYABLE_ERRORS;

  test('the error classes of activities/ are found (the enumeration itself works)', () => {
    const names = classes.map((c) => c.className);
    for (const known of ['ServiceHasDependentsError', 'ServiceLogonFailedError', 'ServicePausedError', 'ServiceControlOutputError', 'UnsafeCachePathError', 'OsRestartRefusedError']) {
      expect(names).toContain(known);
    }
  });

  test('every error class carries its own class name across the wire', () => {
    expect(classes.filter((c) => c.wireName !== c.className).map((c) => `${c.file}: ${c.className} is sent as ${c.wireName}`)).toEqual([]);
  });

  test('every class documented as not retryable is in the one list', () => {
    const missing = classes.filter((c) => NOT_RETRYABLE_DOC.test(c.doc) && !listed.includes(c.wireName));
    expect(missing.map((c) => `${c.file}: ${c.className}`)).toEqual([]);
  });

  test('no class documented as retryable is in the list', () => {
    const wrong = classes.filter((c) => !NOT_RETRYABLE_DOC.test(c.doc) && RETRYABLE_DOC.test(c.doc) && listed.includes(c.wireName));
    expect(wrong.map((c) => `${c.file}: ${c.className}`)).toEqual([]);
  });

  test('the list names each type once', () => {
    expect(new Set(listed).size).toBe(listed.length);
  });

  test('every step, on a host or central, retries none of them', () => {
    const effects: Array<[Effect, string]> = [
      [{ step: 's', title: 't', action: 'stop-service', host: 'spoc-1', service: 'x', timeoutSeconds: 30 }, hostTaskQueue('spoc-1')],
      [{ step: 's', title: 't', action: 'delete-cache', host: 'spoc-1', installDir: 'C:\\DP' }, hostTaskQueue('spoc-1')],
      [{ step: 's', title: 't', action: 'restart-os', host: 'spoc-1', delaySeconds: 5 }, hostTaskQueue('spoc-1')],
      [{ step: 'c', title: 't', action: 'check-management-server' }, CENTRAL_TASK_QUEUE],
    ];
    for (const [effect, queue] of effects) {
      expect([...(activityOptionsFor(effect, queue).retry?.nonRetryableErrorTypes ?? [])].sort()).toEqual([...listed].sort());
    }
  });
});
