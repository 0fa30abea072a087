/**
 * The durable state-machine runtime: runs any procedure machine from machines/ as a Temporal
 * workflow. It drives the machine with XState's pure `transition`, so the machine itself never
 * performs I/O:
 *
 * - an `effect` action becomes an activity on the host's (or the central) task queue; its answer
 *   comes back as `effect.done.<step>` or, once retries are spent, `effect.failed.<step>`, on
 *   which the machine halts; both carry the host, so one step may run on several hosts at once
 *   (each host's effect is in flight under `<step>@<host>`);
 * - an `after` delay becomes a durable timer; pending timers are kept with absolute due times and
 *   carried across continue-as-new (XState's persisted snapshot would drop them);
 * - operator commands arrive as the `operator` update, validated (schema, and "does the machine
 *   accept this event now") before they are accepted;
 * - the `status` query answers with the state, the halt, a context summary and the path taken.
 *
 * Everything here is deterministic: events are processed one at a time, in arrival order.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { AnyStateMachine, transition, initialTransition } from 'xstate';
import { Effect, effectTag, doneEventType, failedEventType, flightKey, hostOf } from '../machines/core/effects';
import { directivesOf, MachineEvent } from '../machines/core/machine-directives';
import { describeIssues } from '../machines/core/input-errors';
import { currentStep, formatSeconds } from '../machines/core/plan';
import { runEffectActivity } from './effect-activity';
import { OperatorCommandRecord, operatorCommandSchema, operatorUpdate, PathEntry, ProcedureStatus, statusQuery } from './operator-messages';
import type { ResumeState } from './resume-state';
import { HALTED_KEY, HOSTS_KEY, PROCEDURE_KEY, STEP_KEY } from './search-attributes';


export interface RuntimeOptions {
  /** Catalog id of the procedure, for status and search attributes. */
  procedure: string;
  machine: AnyStateMachine;
  /** Summarises the machine context for `status` (keep it small: it travels with every query). */
  summarize: (context: unknown) => Record<string, unknown>;
  /** Hosts the procedure touches, for the search attribute. */
  hosts: string[];
  /** Continue as new past this many history events (the server also suggests it). */
  historyEventLimit?: number;
  /** How long an agent may take to pick up a step before it halts as unreachable. */
  hostPickupSeconds?: number;
  /**
   * The input the next run gets when this one continues as new: the input as it was given, which
   * the next run parses again (a parsed input need not parse again: a cluster's options become objects).
   */
  inputForNextRun?: unknown;
  /**
   * Runs once the runtime answers `status` and takes operator commands, before the machine's
   * first step (the procedure's leases): commands that arrive meanwhile wait their turn.
   */
  beforeFirstStep?: () => Promise<void>;
}

const PATH_KEPT = 200;

interface InFlight {
  effect: Effect;
  scope: wf.CancellationScope;
  settled: Promise<void>;
}

/** Runs the machine to its final state and returns its output. */
export async function runMachine(options: RuntimeOptions, input: unknown, resume?: ResumeState): Promise<unknown> {
  const { machine } = options;
  const queue: MachineEvent[] = [];
  const inFlight = new Map<string, InFlight>();
  const timers = new Map<string, { event: MachineEvent; dueAt: number; scope: wf.CancellationScope }>();
  const hostSettled = new Map<string, Promise<void>>();
  const path: PathEntry[] = resume ? [...resume.path] : [];
  let stepsTaken = resume?.stepsTaken ?? 0;
  const operatorCommands: OperatorCommandRecord[] = resume?.operatorCommands ? [...resume.operatorCommands] : [];
  let processed = 0;
  let enqueued = 0;
  let lastReportedStep = '';

  let snapshot: ReturnType<typeof initialTransition>[0];
  let startActions: readonly { type: string; params?: unknown }[] = [];
  if (resume) {
    snapshot = machine.resolveState({ value: resume.value as never, context: resume.context as never });
  } else {
    [snapshot, startActions] = initialTransition(machine, input);
  }

  const enqueue = (event: MachineEvent): number => {
    queue.push(event);
    enqueued += 1;
    return enqueued;
  };

  const statusNow = (): ProcedureStatus => {
    const context = snapshot.context as { halt?: ProcedureStatus['halt'] };
    const halted = snapshot.hasTag('halted');
    const waiting = snapshot.hasTag('waiting');
    return {
      procedure: options.procedure,
      state: snapshot.value,
      step: currentStep(snapshot),
      status: snapshot.status === 'done' ? 'done' : halted ? 'halted' : waiting ? 'waiting' : 'running',
      halt: context.halt ?? null,
      accepts: operatorCommandSchema.options
        .map((o) => o.shape.type.value)
        .filter((type) => snapshot.status === 'active' && snapshot.can({ type, operator: 'x', reason: 'probe' } as never)),
      summary: options.summarize(snapshot.context),
      path,
      stepsTaken,
      timers: [...timers.entries()].map(([id, t]) => ({ id, dueAt: new Date(t.dueAt).toISOString() })),
      inFlight: [...inFlight.keys()],
      ...(snapshot.status === 'done' ? { output: snapshot.output } : {}),
    };
  };

  wf.setHandler(statusQuery, statusNow, { description: 'Where the procedure is: state, step, halt and its reason, the commands it accepts now, and the path taken.' });
  wf.setHandler(
    operatorUpdate,
    async (command) => {
      // The machine gets the parsed command (defaults applied, nothing unknown), never the raw payload.
      const ticket = enqueue(operatorCommandSchema.parse(command) as MachineEvent);
      await wf.condition(() => processed >= ticket);
      return statusNow();
    },
    {
      description:
        'An operator command, each with an optional operator and reason (kept in the path and the result): operator.retry, operator.skip, operator.abort, operator.startGroupService, operator.overrideLoad {operator, reason} (both required), operator.submitOrder {chain, order} (active cluster supervisors).',
      validator: (command) => {
        const parsed = operatorCommandSchema.safeParse(command);
        if (!parsed.success) {
          throw new Error(`invalid operator command: ${describeIssues(parsed.error.issues)}`);
        }
        if (snapshot.status !== 'active' || !snapshot.can(parsed.data as never)) {
          const accepts = statusNow().accepts.join(', ') || 'nothing';
          throw new Error(`"${parsed.data.type}" is not possible at step ${currentStep(snapshot)} now; the procedure accepts: ${accepts}`);
        }
      },
    },
  );

  const record = (entry: PathEntry) => {
    path.push(entry);
    stepsTaken += 1;
    if (path.length > PATH_KEPT) path.splice(0, path.length - PATH_KEPT);
  };

  /** An operator command goes into the path and the result, with who gave it and why. */
  const noteOperatorCommand = (event: MachineEvent) => {
    const { operator, reason } = event as { operator?: string; reason?: string };
    const at = new Date().toISOString();
    const step = currentStep(snapshot);
    operatorCommands.push({ type: event.type, step, at, ...(operator ? { operator } : {}), ...(reason ? { reason } : {}) });
    const by = operator ? ` by ${operator}` : '';
    record({ step, action: event.type, title: `Operator: ${event.type.replace(/^operator\./, '')}${by}${reason ? ` (${reason})` : ''}`, startedAt: at, endedAt: at, outcome: 'done', ...(operator ? { operator } : {}), ...(reason ? { reason } : {}) });
  };

  const startEffect = (effect: Effect) => {
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
    record(entry);
    const scope = new wf.CancellationScope();
    // Effects on one host run one after another: a restore never races a cancelled stop.
    const before = (host && hostSettled.get(host)) || Promise.resolve();
    const settled = scope
      .run(async () => {
        await before;
        const output = await runEffectActivity(host ? ({ ...effect, requestKey: `${wf.workflowInfo().workflowId}/${wf.workflowInfo().firstExecutionRunId}/${key}` } as Effect) : effect, options.hostPickupSeconds);
        entry.outcome = 'done';
        entry.endedAt = new Date().toISOString();
        if (inFlight.get(key)?.scope === scope) {
          inFlight.delete(key);
          enqueue({ type: doneEventType(effect.step), output, ...(host ? { host } : {}) });
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
        if (inFlight.get(key)?.scope === scope) {
          inFlight.delete(key);
          enqueue({ type: failedEventType(effect.step), reason, ...(errorType ? { errorType } : {}), ...(host ? { host } : {}) });
        }
      });
    if (host) hostSettled.set(host, settled);
    inFlight.set(key, { effect, scope, settled });
  };

  const startTimer = (id: string, event: MachineEvent, dueAt: number, entry?: PathEntry) => {
    timers.get(id)?.scope.cancel();
    const scope = new wf.CancellationScope();
    timers.set(id, { event, dueAt, scope });
    scope
      .run(() => wf.sleep(Math.max(0, dueAt - Date.now())))
      .then(() => {
        if (timers.get(id)?.scope === scope) {
          timers.delete(id);
          if (entry) Object.assign(entry, { outcome: 'done', endedAt: new Date().toISOString() });
          enqueue(event);
        }
      })
      .catch((err: unknown) => {
        if (!wf.isCancellation(err)) throw err;
        if (entry) Object.assign(entry, { outcome: 'cancelled', endedAt: new Date().toISOString() });
      });
  };

  const apply = (actions: readonly { type: string; params?: unknown }[]) => {
    const effects: Effect[] = [];
    for (const directive of directivesOf(actions)) {
      if (directive.kind === 'effect') effects.push(directive.effect);
      else if (directive.kind === 'schedule') {
        const entry: PathEntry = { step: currentStep(snapshot), action: 'wait', title: `Wait ${formatSeconds(directive.delayMs / 1000)}`, startedAt: new Date().toISOString(), outcome: 'running', timer: directive.id };
        record(entry);
        startTimer(directive.id, directive.event, Date.now() + directive.delayMs, entry);
      } else {
        timers.get(directive.id)?.scope.cancel();
        timers.delete(directive.id);
      }
    }
    // An effect whose state was left (abort, operator command) is cancelled; its answer is dropped.
    // So is one asked for again (a retried step): only the new one's answer counts.
    for (const [key, flight] of inFlight) {
      if (!snapshot.hasTag(effectTag(flight.effect.step)) || effects.some((e) => flightKey(e) === key)) {
        flight.scope.cancel();
        inFlight.delete(key);
      }
    }
    return effects;
  };

  const report = () => {
    const step = currentStep(snapshot);
    const halt = (snapshot.context as { halt?: ProcedureStatus['halt'] }).halt ?? null;
    const key = `${step}|${halt ? 'halted' : ''}|${snapshot.status}`;
    if (key === lastReportedStep) return;
    lastReportedStep = key;
    wf.upsertSearchAttributes([
      { key: STEP_KEY, value: step },
      { key: HALTED_KEY, value: halt !== null },
    ]);
    const lines = [`**${options.procedure}**`, '', `Step: \`${step}\``];
    const said = stepDescription(snapshot);
    if (said) lines.push('', said);
    if (halt) lines.push('', `**Halted** at "${halt.title}": ${halt.reason}`, '', `Operator options: ${[...halt.options, 'abort'].join(', ')} (Update \`operator\`).`);
    const last = path[path.length - 1];
    if (!halt && last) lines.push('', `Now: ${last.title}`);
    wf.setCurrentDetails(lines.join('\n'));
  };

  wf.upsertSearchAttributes([
    { key: PROCEDURE_KEY, value: options.procedure },
    { key: HOSTS_KEY, value: options.hosts },
  ]);

  await options.beforeFirstStep?.();

  // Resume what the previous run left in flight, then what the first transition asked for.
  if (resume) {
    for (const t of resume.timers) startTimer(t.id, t.event, t.dueAt, [...path].reverse().find((p) => p.action === 'wait' && p.outcome === 'running' && p.timer === t.id));
    for (const effect of resume.pendingEffects) startEffect(effect);
  }
  for (const effect of apply(startActions)) startEffect(effect);
  report();

  const historyLimit = options.historyEventLimit ?? 10_000;
  while (snapshot.status === 'active') {
    await wf.condition(() => queue.length > 0);
    const event = queue.shift() as MachineEvent;
    if (event.type.startsWith('operator.')) noteOperatorCommand(event);
    let actions: readonly { type: string; params?: unknown }[];
    [snapshot, actions] = transition(machine, snapshot, event as never);
    const effects = apply(actions);
    processed += 1;
    const info = wf.workflowInfo();
    const quiet = inFlight.size === 0 && queue.length === 0;
    if (snapshot.status === 'active' && quiet && (info.continueAsNewSuggested || info.historyLength > historyLimit)) {
      // Let running update handlers finish first. An event that arrives meanwhile (an operator
      // command, a timer) must not be lost in the hand-over: then this run goes on a little longer.
      await wf.condition(() => wf.allHandlersFinished() || queue.length > 0);
    }
    if (snapshot.status === 'active' && quiet && queue.length === 0 && wf.allHandlersFinished() && (info.continueAsNewSuggested || info.historyLength > historyLimit)) {
      const persisted = machine.getPersistedSnapshot(snapshot) as unknown as { value: unknown; context: unknown };
      const next: ResumeState = {
        value: persisted.value,
        context: persisted.context,
        pendingEffects: effects,
        timers: [...timers.entries()].map(([id, t]) => ({ id, event: t.event, dueAt: t.dueAt })),
        path,
        stepsTaken,
        operatorCommands,
      };
      await wf.continueAsNew(options.inputForNextRun ?? input, next);
    }
    for (const effect of effects) startEffect(effect);
    report();
  }
  report();
  // Let in-flight updates see the final state before the run closes.
  await wf.condition(wf.allHandlersFinished);
  return withOperatorCommands(snapshot.output, operatorCommands);
}

/** The machine's output with the operator commands the procedure took, when it is a record. */
function withOperatorCommands(output: unknown, operatorCommands: OperatorCommandRecord[]): unknown {
  if (output === null || typeof output !== 'object' || Array.isArray(output)) return output;
  return { ...output, operatorCommands };
}

/** The operator's words for why an effect failed. */
function describeFailure(err: unknown, effect: Effect): { reason: string; errorType?: string } {
  const host = hostOf(effect);
  if (err instanceof ActivityFailure) {
    const cause = err.cause;
    if (cause instanceof TimeoutFailure && cause.timeoutType === TimeoutType.SCHEDULE_TO_START) {
      return { reason: `the agent of ${host ?? 'the central worker'} did not pick up "${effect.title}": is its worker running and connected?`, errorType: 'HostUnreachable' };
    }
    if (cause instanceof TimeoutFailure) {
      return { reason: `"${effect.title}" timed out (${cause.message})`, errorType: 'ActivityTimeout' };
    }
    if (cause instanceof ApplicationFailure) {
      return { reason: cause.message, ...(cause.type ? { errorType: cause.type } : {}) };
    }
    return { reason: cause?.message ?? err.message };
  }
  return { reason: err instanceof Error ? err.message : String(err) };
}

/** The operator's words for where the machine is: the description of the innermost described state. */
function stepDescription(snapshot: { _nodes?: { description?: string }[] }): string | undefined {
  const nodes = snapshot._nodes ?? [];
  for (let i = nodes.length - 1; i >= 0; i -= 1) {
    const text = nodes[i]?.description;
    if (text && !text.startsWith('Halted:')) return text;
  }
  return undefined;
}
