/**
 * Where a spaced start's round goes (`limits.secondsBetweenStarts`): from the rollout's histories,
 * for each start followed by another, the server starting the child (initiated → the child's
 * started event), the rollout's task that saw it (→ that task's completion, which starts the
 * timer), the timer (started → fired) and the task that the timer woke (→ the next start). The
 * bench's figure for a first wave whose starts spread wider than the spacing asks.
 */
import type { Client } from '@temporalio/client';
import { eventMs, eventTypeName } from './fleet-figures';
import { runHistories } from './run-histories';

export interface RoundStages {
  /** When the round's first start was initiated, ms since the epoch. */
  atMs: number;
  /** Start to start, ms. */
  roundMs: number;
  childStartMs: number;
  confirmationTaskMs: number;
  timerMs: number;
  timerTaskMs: number;
  /** Of the task the timer woke: waiting for a worker to take it (scheduled → started). */
  timerTaskWaitMs: number;
  /** The activities the rollout scheduled within the round (its looks, its wait for inherited ends), by type. */
  activities: string[];
}

type RoundEvent = Parameters<typeof eventMs>[0] & { eventType?: unknown; activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null };
const typeOf = (e: RoundEvent) => eventTypeName(e.eventType);

/**
 * The rounds of one history: each pair of consecutive child starts with, between them, the first
 * child started event, the first task completed after it, the first timer started and fired after
 * that. A pair without all of them (starts made together, a timer the window set) is left out.
 */
export function spacedStartRounds(events: readonly RoundEvent[]): RoundStages[] {
  const rounds: RoundStages[] = [];
  const initiated = events.flatMap((e, i) => (typeOf(e) === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED' ? [i] : []));
  for (let k = 0; k + 1 < initiated.length; k++) {
    const from = initiated[k]!;
    const to = initiated[k + 1]!;
    const after = (type: string, start: number) => {
      for (let i = start + 1; i < to; i++) if (typeOf(events[i]!) === type) return i;
      return undefined;
    };
    const started = after('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED', from);
    const confirmed = started === undefined ? undefined : after('EVENT_TYPE_WORKFLOW_TASK_COMPLETED', started);
    const timer = confirmed === undefined ? undefined : after('EVENT_TYPE_TIMER_STARTED', confirmed - 1);
    const fired = timer === undefined ? undefined : after('EVENT_TYPE_TIMER_FIRED', timer);
    if (started === undefined || confirmed === undefined || timer === undefined || fired === undefined) continue;
    const at = (i: number) => eventMs(events[i]!);
    const scheduled = after('EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', fired);
    const taken = scheduled === undefined ? undefined : after('EVENT_TYPE_WORKFLOW_TASK_STARTED', scheduled);
    rounds.push({
      atMs: at(from),
      roundMs: at(to) - at(from),
      childStartMs: at(started) - at(from),
      confirmationTaskMs: at(confirmed) - at(started),
      timerMs: at(fired) - at(timer),
      timerTaskMs: at(to) - at(fired),
      timerTaskWaitMs: scheduled === undefined || taken === undefined ? 0 : at(taken) - at(scheduled),
      activities: events.slice(from + 1, to).flatMap((e) => (typeOf(e) === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED' ? [e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?'] : [])),
    });
  }
  return rounds;
}

/** The rounds of every run of the rollout (it continues as new), oldest first. */
export async function rolloutSpacedStartRounds(client: Client, workflowId: string): Promise<RoundStages[]> {
  return (await runHistories(client, workflowId)).flatMap((events) => spacedStartRounds(events));
}
