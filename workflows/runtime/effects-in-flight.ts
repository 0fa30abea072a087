/**
 * The effects whose activities run now, each under `<step>[@<host>]` (one step may run on several
 * hosts at once). An effect's answer comes back to the machine as `effect.done.<step>` or, once its
 * retries are spent, `effect.failed.<step>`, both carrying the host; an effect the machine no
 * longer waits for is cancelled and its answer dropped. Effects on one host run one after another.
 */
import * as wf from '@temporalio/workflow';
import { CancelledFailure } from '@temporalio/common';
import { Effect, effectTag, doneEventType, failedEventType, flightKey, hostOf } from '../../machines/core/effects';
import { describeFailure } from './effect-failure';
import { runEffectActivity } from './effect-activity';
import type { EventQueue } from './event-queue';
import type { PathEntry } from '../operator-messages';
import type { ProcedurePath } from './procedure-path';

interface InFlight {
  effect: Effect;
  scope: wf.CancellationScope;
  settled: Promise<void>;
}

export class EffectsInFlight {
  private readonly flights = new Map<string, InFlight>();
  /** Per host, when its latest effect has settled. */
  private readonly hostSettled = new Map<string, Promise<void>>();

  constructor(
    private readonly path: ProcedurePath,
    private readonly queue: EventQueue,
    private readonly hostPickupSeconds?: number,
    /** The effect's line on the Web UI's timeline (timeline-summaries.ts). */
    private readonly summaryOf?: (effect: Effect) => string,
  ) {}

  get size(): number {
    return this.flights.size;
  }

  /** The flight keys, for `status`. */
  keys(): string[] {
    return [...this.flights.keys()];
  }

  /** Runs the effect's activity; its path entry tells how it ended, its answer goes to the queue. */
  start(effect: Effect): void {
    const host = hostOf(effect);
    const key = flightKey(effect);
    const entry: PathEntry = {
      step: effect.step,
      action: effect.action,
      ...(host ? { host } : {}),
      title: effect.title,
      startedAt: new Date().toISOString(),
      outcome: 'running',
    };
    this.path.record(entry);
    const scope = new wf.CancellationScope();
    // Effects on one host run one after another: a restore never races a cancelled stop.
    const before = (host && this.hostSettled.get(host)) || Promise.resolve();
    const settled = scope
      .run(async () => {
        await before;
        const output = await runEffectActivity(host ? ({ ...effect, requestKey: `${wf.workflowInfo().workflowId}/${wf.workflowInfo().firstExecutionRunId}/${key}` } as Effect) : effect, this.hostPickupSeconds, this.summaryOf?.(effect));
        entry.outcome = 'done';
        entry.endedAt = new Date().toISOString();
        if (this.flights.get(key)?.scope === scope) {
          this.flights.delete(key);
          this.queue.push({ type: doneEventType(effect.step), output, ...(host ? { host } : {}) });
        }
      })
      .catch((err: unknown) => {
        entry.endedAt = new Date().toISOString();
        if (wf.isCancellation(err) || err instanceof CancelledFailure) {
          entry.outcome = 'cancelled';
          return;
        }
        entry.outcome = 'failed';
        const { reason, errorType } = describeFailure(err, effect);
        entry.reason = reason;
        if (this.flights.get(key)?.scope === scope) {
          this.flights.delete(key);
          this.queue.push({ type: failedEventType(effect.step), reason, ...(errorType ? { errorType } : {}), ...(host ? { host } : {}) });
        }
      });
    if (host) this.hostSettled.set(host, settled);
    this.flights.set(key, { effect, scope, settled });
  }

  /**
   * Cancels each effect whose state the machine left (abort, operator command), and each one it
   * asks for again (a retried step): only the new one's answer counts.
   */
  cancelUnwanted(snapshot: { hasTag(tag: string): boolean }, askedAgain: Effect[]): void {
    for (const [key, flight] of this.flights) {
      if (!snapshot.hasTag(effectTag(flight.effect.step)) || askedAgain.some((e) => flightKey(e) === key)) {
        flight.scope.cancel();
        this.flights.delete(key);
      }
    }
  }
}
