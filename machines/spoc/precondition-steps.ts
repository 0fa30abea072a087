/**
 * The preconditions every SPOC procedure checks before its first stop (docs/spoc-group-maintenance.md#preconditions): the
 * Management Server runs, and no member has load, unless the operator overrides the load check
 * explicitly (in the input, or when the check halts); the override is recorded in the result.
 *
 * Then the preflight, on every host of the procedure at once and read-only: the host's agent
 * answers, every service the procedure will touch by role exists there, each listed other service
 * is a vendor service there, the install folder passes the rule the cache deletion applies, and
 * the SPOC's logs exist. A host that fails halts the procedure here, with nothing stopped; retry
 * checks every host again once the operator fixed what failed.
 */
import { assign } from 'xstate';
import type { EffectOutputs } from '../core/effects';
import { haltableStep, StateConfig } from '../core/haltable-step';
import { parallelHostSteps } from '../core/parallel-host-steps';
import type { SpocMember } from './spoc-group-input';
import type { SpocProcedureContext } from './spoc-procedure-context';
import { ROLE_SERVICES } from './spoc-services';

export const PRECONDITIONS_START = 'checkManagementServer';

/** The preflight state and its one step on each host; its effect's action is `preflight`. */
export const PREFLIGHT_STATE = 'preflight';
export const PREFLIGHT_STEP = 'preflightHost';
const PREFLIGHT_DONE = 'preflightDone';

/** Guards the precondition states use, by name so a chart shows them; a machine with them passes these to `setup`. */
export const PRECONDITION_GUARDS = {
  /** The operator overrode the load check (in the input, or when the check halted). */
  loadCheckOverridden: ({ context }: { context: SpocProcedureContext }) => context.loadOverride !== null,
};

export interface PreconditionOptions<C> {
  /** Every SPOC server the procedure touches. */
  spocsOf: (c: C) => SpocMember[];
  /** The services the procedure controls by role on a host (default: SPOC, group service, terminal server). */
  roleServicesOf?: (c: C, spoc: SpocMember) => string[];
  next: string;
}

/** The precondition states; they end in the sibling state `next`. */
export function preconditionStates<C extends SpocProcedureContext>(opts: PreconditionOptions<C>): Record<string, StateConfig> {
  const hostsOf = (c: C) => opts.spocsOf(c).map((m) => m.host);
  const spocOn = (c: C, host: string): SpocMember => {
    const spoc = opts.spocsOf(c).find((m) => m.host === host);
    if (!spoc) throw new Error(`${host} is not one of the SPOC servers of this procedure`);
    return spoc;
  };
  return {
    checkManagementServer: haltableStep<C>({
      id: 'checkManagementServer',
      description: 'Precondition: the Management Server is running and answers.',
      effect: () => ({ step: 'checkManagementServer', title: 'Check that the Management Server is running', action: 'check-management-server' }),
      next: 'checkLoad',
    }),
    checkLoad: {
      description: 'Precondition: no load on the members (no new jobs, no printing, copying or scanning).',
      initial: 'decide',
      states: {
        decide: { always: [{ guard: 'loadCheckOverridden', target: 'done' }, { target: 'checkNoLoad' }] },
        checkNoLoad: haltableStep<C, EffectOutputs['check-no-load']>({
          id: 'checkNoLoad',
          description: 'Ask the Management Server whether any member has active jobs.',
          effect: (c) => ({ step: 'checkNoLoad', title: 'Check that no member has load', action: 'check-no-load', hosts: hostsOf(c) }),
          next: 'done',
          haltedOn: {
            'operator.overrideLoad': {
              target: '#checkNoLoad.done',
              actions: assign(({ event }: { event: { operator: string; reason: string } }) => ({
                loadOverride: { operator: event.operator, reason: event.reason },
                halt: null,
              })),
            },
          },
        }),
        done: { type: 'final' },
      },
      onDone: { target: PREFLIGHT_STATE },
    },
    [PREFLIGHT_STATE]: parallelHostSteps<C>({
      id: PREFLIGHT_STATE,
      description: 'Preflight on every host at once, before anything is stopped: the agent answers, the services exist, the install folder and the SPOC logs are there.',
      hostsOf,
      steps: [
        {
          id: PREFLIGHT_STEP,
          description: 'Check, read-only, everything this procedure will touch on the host.',
          effect: (c, host) => {
            const spoc = spocOn(c, host);
            return {
              step: PREFLIGHT_STEP,
              title: `Preflight on ${host}: agent, services, install folder, SPOC logs`,
              action: 'preflight',
              host,
              installDir: spoc.installDir,
              services: opts.roleServicesOf?.(c, spoc) ?? [...ROLE_SERVICES],
              ...(spoc.otherServices !== undefined ? { otherServices: spoc.otherServices } : {}),
            };
          },
        },
      ],
      next: PREFLIGHT_DONE,
      // A retry checks every host again: what passed before the operator's fix must still hold
      // right before the first stop (an agent may have gone meanwhile).
      retryAll: true,
    }),
    [PREFLIGHT_DONE]: {
      // The preflight's lanes are of no use once it passed; later steps go one member at a time.
      always: {
        target: opts.next,
        actions: assign(({ context }: { context: C }) => {
          const { [PREFLIGHT_STATE]: _done, ...lanes } = context.lanes;
          return { lanes } as Partial<C>;
        }),
      },
    },
  };
}

/** The procedure-wide abort: from any working state to the restore block, with the reason. */
export function abortTransition(target: string): StateConfig {
  return {
    'operator.abort': {
      target,
      actions: assign({ abortReason: ({ event }: { event: { reason?: string } }) => event.reason ?? 'aborted by the operator' }),
    },
  };
}
