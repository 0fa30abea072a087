/**
 * Steps that run on several hosts at once, each host going through the same sequence on its own
 * (the OS restart of standalone SPOCs, which the runbook allows in parallel). It is one state
 * with a lane per host kept in the context, rather than a region per host, so the machine stays
 * the same for any list of hosts and reads the same in a chart.
 *
 * A host's effect answers with `effect.done.<step>` / `effect.failed.<step>` carrying the host;
 * its lane moves to its next step at once, independently of the others. A failure parks that lane;
 * once no lane has anything in flight and one failed, the state halts with every failure in the
 * reason. `operator.retry` runs each failed lane's step again; lanes that finished stay finished.
 */
import { assign, enqueueActions } from 'xstate';
import type { Effect } from '../actions';
import { doneEventType, effectTag, failedEventType } from './effect-events';
import type { AnyEvent, HaltableContext, StateConfig } from './haltable-step';

/** One host's progress: the index of its current step, and its failure while it is parked. */
export interface Lane {
  at: number;
  failed: { reason: string; errorType?: string } | null;
}

export interface ParallelContext extends HaltableContext {
  /** Lanes per parallel state id, per host. */
  lanes: Record<string, Record<string, Lane>>;
}

export interface LaneStep<C, O = unknown> {
  id: string;
  description: string;
  effect: (context: C, host: string) => Effect;
  onDone?: (context: C, host: string, output: O) => Partial<C>;
}

export interface ParallelOptions<C extends ParallelContext> {
  id: string;
  description: string;
  hostsOf: (context: C) => string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  steps: LaneStep<C, any>[];
  next: string;
  /**
   * On `operator.retry`, run every host's lanes again from the start instead of only the failed
   * ones: for read-only checks (the preflight) whose answer must hold right before what follows.
   */
  retryAll?: boolean;
}

/** The lanes of the state's hosts (a host not started yet at its first step) and how many steps a lane has. */
export interface HostLanes {
  lanes: Lane[];
  steps: number;
}

/** A lane that went through every step. */
const finishedLane = (lane: Lane, steps: number) => lane.at >= steps;

/**
 * The guards the parallel steps decide on, by name so a chart shows them; a machine that uses
 * `parallelHostSteps` passes these to `setup`.
 */
export const PARALLEL_HOST_GUARDS = {
  /** The answer is for the step its host's lane is at now; an answer for any other step is ignored. */
  hostIsAtStep: ({ context, event }: { context: ParallelContext; event: AnyEvent }, { parallelState, step }: { parallelState: string; step: number }) =>
    (context.lanes[parallelState] ?? {})[event.host as string]?.at === step,
  everyHostFinished: (_: unknown, { lanes, steps }: HostLanes) => lanes.every((l) => finishedLane(l, steps)),
  /** Nothing is in flight any more and at least one host failed. */
  hostsSettledWithFailures: (_: unknown, { lanes, steps }: HostLanes) => lanes.some((l) => l.failed) && lanes.every((l) => l.failed || finishedLane(l, steps)),
};

export function parallelHostSteps<C extends ParallelContext>(opts: ParallelOptions<C>): StateConfig {
  const lanesOf = (c: C): Record<string, Lane> => c.lanes[opts.id] ?? {};
  const finished = (lane: Lane) => finishedLane(lane, opts.steps.length);
  const emit = (c: C, host: string, enqueue: (action: { type: 'effect'; params: Effect }) => void) => {
    const step = opts.steps[lanesOf(c)[host]?.at ?? 0];
    if (step) enqueue({ type: 'effect', params: step.effect(c, host) });
  };
  const withLane = (c: C, host: string, lane: Lane) => ({ ...c.lanes, [opts.id]: { ...lanesOf(c), [host]: lane } });

  const answers: Record<string, StateConfig> = {};
  for (const [index, step] of opts.steps.entries()) {
    answers[doneEventType(step.id)] = {
      guard: { type: 'hostIsAtStep', params: { parallelState: opts.id, step: index } },
      actions: [
        assign(({ context, event }: { context: C; event: AnyEvent }) => ({
          ...(step.onDone ? step.onDone(context, event.host as string, event.output) : {}),
          lanes: withLane(context, event.host as string, { at: index + 1, failed: null }),
        }) as Partial<C>),
        enqueueActions(({ context, event, enqueue }: { context: C; event: AnyEvent; enqueue: (a: { type: 'effect'; params: Effect }) => void }) => emit(context, event.host as string, enqueue)),
      ],
    };
    answers[failedEventType(step.id)] = {
      guard: { type: 'hostIsAtStep', params: { parallelState: opts.id, step: index } },
      actions: assign(({ context, event }: { context: C; event: AnyEvent }) => ({
        lanes: withLane(context, event.host as string, { at: index, failed: { reason: event.reason as string, ...(event.errorType ? { errorType: event.errorType as string } : {}) } }),
      }) as Partial<C>),
    };
  }

  const hostLanes = ({ context }: { context: C }): HostLanes => ({
    lanes: opts.hostsOf(context).map((h) => lanesOf(context)[h] ?? { at: 0, failed: null }),
    steps: opts.steps.length,
  });

  return {
    id: opts.id,
    description: opts.description,
    initial: 'begin',
    meta: { step: opts.id, parallelSteps: opts.steps.map((s) => ({ id: s.id, description: s.description })) },
    states: {
      begin: {
        always: {
          target: 'running',
          actions: assign(({ context }: { context: C }) => ({
            lanes: { ...context.lanes, [opts.id]: Object.fromEntries(opts.hostsOf(context).map((h) => [h, { at: 0, failed: null }])) },
          }) as Partial<C>),
        },
      },
      running: {
        tags: opts.steps.map((s) => effectTag(s.id)),
        entry: enqueueActions(({ context, enqueue }: { context: C; enqueue: (a: { type: 'effect'; params: Effect }) => void }) => {
          for (const host of opts.hostsOf(context)) {
            const lane = lanesOf(context)[host];
            if (lane && !finished(lane) && !lane.failed) emit(context, host, enqueue);
          }
        }),
        on: answers,
        always: [
          { guard: { type: 'everyHostFinished', params: hostLanes }, target: 'done' },
          {
            guard: { type: 'hostsSettledWithFailures', params: hostLanes },
            target: 'halted',
            actions: assign(({ context }: { context: C }) => {
              const failures = Object.entries(lanesOf(context)).filter(([, l]) => l.failed);
              const first = failures[0];
              const firstStep = first ? opts.steps[first[1].at] : undefined;
              return {
                halt: {
                  step: firstStep?.id ?? opts.id,
                  title: failures.map(([h, l]) => `${opts.steps[l.at]?.description ?? opts.id} (${h})`).join('; '),
                  reason: failures.map(([h, l]) => `${h}: ${l.failed?.reason}`).join('; '),
                  ...(first?.[1].failed?.errorType ? { errorType: first[1].failed.errorType } : {}),
                  options: ['retry'],
                },
              } as Partial<C>;
            }),
          },
        ],
      },
      halted: {
        tags: ['halted'],
        description: 'Halted: waiting for the operator to retry the hosts that failed, or abort.',
        on: {
          'operator.retry': {
            target: 'running',
            actions: assign(({ context }: { context: C }) => ({
              halt: null,
              lanes: { ...context.lanes, [opts.id]: Object.fromEntries(Object.entries(lanesOf(context)).map(([h, l]) => [h, { at: opts.retryAll ? 0 : l.at, failed: null }])) },
            }) as Partial<C>),
          },
        },
      },
      done: { type: 'final' },
    },
    onDone: { target: opts.next },
  };
}
