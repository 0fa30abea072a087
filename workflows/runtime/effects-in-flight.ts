/**
 * The effects whose activities run now, each under `<step>[@<host>]` (one step may run on several
 * hosts at once). An effect's answer comes back to the machine as `effect.done.<step>` or, once its
 * retries are spent, `effect.failed.<step>`, both carrying the host; an effect the machine no
 * longer waits for is cancelled and its answer dropped. Effects on one host run one after another:
 * in version 2 also on the host itself, as a cancelled host step settles only once its activity
 * has ended there (activity-options.ts); in version 1 only in the workflow's bookkeeping, as a
 * cancelled step settles the moment its cancellation is asked for.
 */
import * as wf from '@temporalio/workflow';
import { CancelledFailure } from '@temporalio/common';
import { Effect, effectTag, doneEventType, failedEventType, flightKey, hostOf } from '../../machines/core/effects';
import { answerMisfit } from '../../machines/actions';
import { describeFailure, describeMisfit } from './effect-failure';
import { runEffectActivity } from './effect-activity';
import { EffectActivityCalls } from './effect-activity-calls';
import type { EventQueue } from './event-queue';
import { HostLanes } from './host-lanes';
import { effectScopes, type EffectScope } from './reusable-scopes';
import type { PathEntry } from '../operator-messages';
import type { ProcedurePath } from './procedure-path';

interface InFlight {
  effect: Effect;
  scope: wf.CancellationScope;
}

/** How effects run: as the runtime always ran them (1), or with few promises (2, runtime-version.ts). */
export type EffectsVersion = 1 | 2;

export class EffectsInFlight {
  private readonly flights = new Map<string, InFlight>();
  /** Per host, when its latest effect has settled. */
  private readonly hostSettled = new Map<string, Promise<void>>();
  /** Settled already: what an effect that waits for no other effect waits for (one per run). */
  private readonly nothingBefore = Promise.resolve();

  constructor(
    private readonly path: ProcedurePath,
    private readonly queue: EventQueue,
    private readonly hostPickupSeconds?: number,
    /** The effect's line on the Web UI's timeline (timeline-summaries.ts). */
    private readonly summaryOf?: (effect: Effect) => string,
    private readonly version: EffectsVersion = 1,
    /** Version 2: whether answers are checked against their action before the machine reads them (answer-check.ts). */
    private readonly checksAnswers = false,
  ) {}

  /** Version 2: the hosts' lanes and the scopes effects run in, reused. */
  private readonly lanes = new HostLanes();
  private readonly scopes = effectScopes();
  private calls: EffectActivityCalls | undefined;
  private keyPrefix: string | undefined;

  get size(): number {
    return this.flights.size;
  }

  /** The flight keys, for `status`. */
  keys(): string[] {
    return [...this.flights.keys()];
  }

  /**
   * Runs the effect's activity; its path entry tells how it ended, its answer goes to the queue.
   *
   * Each promise costs a workflow dearly (the SDK records a stack trace for every one), so this
   * makes few, yet keeps every step of the chain on the microtask turn it has always had, because
   * that order decides the commands of an activation and recorded histories must replay: the
   * activity is scheduled one turn after `start`; its answer is queued one turn after it arrives,
   * a failure or cancellation three turns after; the next effect on the same host is scheduled
   * one turn after that (four after the answer).
   */
  start(effect: Effect): void {
    if (this.version === 2) this.startWithFewPromises(effect);
    else this.startAsAlways(effect);
  }

  /** The path entry of an effect that starts now. */
  private recordStart(effect: Effect, host: string | undefined): PathEntry {
    const entry: PathEntry = {
      step: effect.step,
      action: effect.action,
      ...(host ? { host } : {}),
      title: effect.title,
      startedAt: new Date().toISOString(),
      outcome: 'running',
    };
    this.path.record(entry);
    return entry;
  }

  /** The activity of `effect`, with its idempotency key when it runs on a host. */
  private activityOf(effect: Effect, host: string | undefined, key: string): Promise<unknown> {
    const withKey = host ? ({ ...effect, requestKey: `${wf.workflowInfo().workflowId}/${wf.workflowInfo().firstExecutionRunId}/${key}` } as Effect) : effect;
    // Version 2 frees a host's lane only once a cancelled step has really ended on the host.
    return runEffectActivity(withKey, this.hostPickupSeconds, this.summaryOf?.(effect), this.version === 2);
  }

  /**
   * Version 2: the same activity, its options built once per action and task queue
   * (effect-activity-calls.ts); a host's lane is freed only once a cancelled step has really
   * ended on the host.
   */
  private activityWithFewerCosts(effect: Effect, host: string | undefined, key: string): Promise<unknown> {
    const withKey = host ? ({ ...effect, requestKey: `${this.requestKeyPrefix()}${key}` } as Effect) : effect;
    this.calls ??= new EffectActivityCalls(this.hostPickupSeconds);
    return this.calls.schedule(withKey, this.summaryOf?.(effect));
  }

  /** "<workflow id>/<first run id>/": the same for every effect of the procedure. */
  private requestKeyPrefix(): string {
    if (this.keyPrefix === undefined) {
      const info = wf.workflowInfo();
      this.keyPrefix = `${info.workflowId}/${info.firstExecutionRunId}/`;
    }
    return this.keyPrefix;
  }

  /** Version 1: the order of microtask turns above, which histories recorded before version 2 replay. */
  private startAsAlways(effect: Effect): void {
    const host = hostOf(effect);
    const key = flightKey(effect);
    const entry = this.recordStart(effect, host);
    const scope = new wf.CancellationScope();
    // Effects on one host run one after another: a restore never races a cancelled stop.
    const before = (host && this.hostSettled.get(host)) || this.nothingBefore;
    let settle: (() => void) | undefined;
    if (host) this.hostSettled.set(host, new Promise<void>((resolve) => (settle = resolve)));
    const ours = () => this.flights.get(key)?.scope === scope;
    const failed = (err: unknown) =>
      this.twoTurnsLater(() => {
        entry.endedAt = new Date().toISOString();
        if (wf.isCancellation(err) || err instanceof CancelledFailure) {
          entry.outcome = 'cancelled';
        } else {
          entry.outcome = 'failed';
          const { reason, errorType } = describeFailure(err, effect);
          entry.reason = reason;
          if (ours()) {
            this.flights.delete(key);
            this.queue.push({ type: failedEventType(effect.step), reason, ...(errorType ? { errorType } : {}), ...(host ? { host } : {}) });
          }
        }
        settle?.();
      });
    const answered = (output: unknown) => {
      entry.outcome = 'done';
      entry.endedAt = new Date().toISOString();
      if (ours()) {
        this.flights.delete(key);
        this.queue.push({ type: doneEventType(effect.step), output, ...(host ? { host } : {}) });
      }
      if (settle) this.twoTurnsLater(settle);
    };
    // The activity takes its cancellation scope from the context its call is made in.
    void scope.run(() =>
      before.then(() => {
        let activity: Promise<unknown>;
        try {
          activity = this.activityOf(effect, host, key);
        } catch (err) {
          failed(err);
          return;
        }
        void activity.then(answered, failed);
      }),
    );
    this.flights.set(key, { effect, scope });
  }

  /**
   * Version 2: the activity is scheduled at once when its host is free, in a scope lent for the
   * effect, and its answer is queued as it arrives; no promise but the activity's own and one
   * `.then`. What it does is version 1's: the path entry, the answer or failure as an event
   * while the machine still waits for it, one effect at a time per host, cancellation.
   */
  private startWithFewPromises(effect: Effect): void {
    const host = hostOf(effect);
    const key = flightKey(effect);
    const entry = this.recordStart(effect, host);
    const lent: EffectScope = this.scopes.take();
    const flight: InFlight = { effect, scope: lent.scope };
    this.flights.set(key, flight);
    const ours = () => this.flights.get(key) === flight;
    const settled = () => {
      this.scopes.giveBack(lent);
      this.lanes.leave(host);
    };
    const failedAs = ({ reason, errorType }: { reason: string; errorType?: string }) => {
      entry.endedAt = new Date().toISOString();
      entry.outcome = 'failed';
      entry.reason = reason;
      if (ours()) {
        this.flights.delete(key);
        this.queue.push({ type: failedEventType(effect.step), reason, ...(errorType ? { errorType } : {}), ...(host ? { host } : {}) });
      }
      settled();
    };
    const answered = (output: unknown) => {
      // An answer the machine cannot read as its action declares fails the step (answer-check.ts).
      const misfit = this.checksAnswers ? answerMisfit(effect.action, output) : undefined;
      if (misfit !== undefined) return failedAs(describeMisfit(effect, misfit));
      entry.outcome = 'done';
      entry.endedAt = new Date().toISOString();
      if (ours()) {
        this.flights.delete(key);
        this.queue.push({ type: doneEventType(effect.step), output, ...(host ? { host } : {}) });
      }
      settled();
    };
    const failed = (err: unknown) => {
      if (!(wf.isCancellation(err) || err instanceof CancelledFailure)) return failedAs(describeFailure(err, effect));
      entry.endedAt = new Date().toISOString();
      entry.outcome = 'cancelled';
      settled();
    };
    this.lanes.enter(host, () => {
      let activity: Promise<unknown>;
      try {
        activity = lent.runIn(() => this.activityWithFewerCosts(effect, host, key));
      } catch (err) {
        failed(err);
        return;
      }
      void activity.then(answered, failed);
    });
  }

  /** Runs `fn` two microtask turns from now. */
  private twoTurnsLater(fn: () => void): void {
    void this.nothingBefore.then(() => undefined).then(fn);
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
