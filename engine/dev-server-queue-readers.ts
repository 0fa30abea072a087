/**
 * How soon the embedded dev server hands out a task it has written: an activity for a host agent,
 * a workflow task for the worker, a timer that ran out, a row for the visibility store. The server
 * writes each such task to a queue in its database, and a reader loads them from there when told
 * that new ones arrived. Each reader loads at most `…MaxPollRPS` times a second per history shard
 * (20 by default), and the dev server has one shard: once a rollout writes more than 20 tasks a
 * second, a new task waits for the reader's next turn, some 25 ms, twice a step (the activity,
 * then the workflow task that takes its answer).
 *
 * Measured with `npm run bench:fleet` (400 servers, convergence 10 s, one run each, one after the
 * other): a workflow task's wait for the worker p50 35 ms before, 9 ms after, an activity's for its
 * agent 33 → 11 ms; a group's host steps 18.8 → 16.6 s; the dev server's CPU per step unchanged
 * (24.7 and 24.9 ms): a load happens only when tasks were written, so a reader that may load at
 * once does no more work, it only stops waiting. A cluster with many shards (or set by its
 * operators) keeps its own settings: these are given to the embedded server only.
 */
export const QUEUE_READER_SETTINGS: Readonly<Record<string, number>> = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
};

/** Server settings as `temporal server start-dev` flags (`--dynamic-config-value key=<JSON>`). */
export function dynamicConfigFlags(settings: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(settings).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}
