/**
 * What an abort does on a SPOC procedure: start again, host by host, every service this procedure
 * stopped and has not started (the context's `down`), in runbook order. A host whose services will
 * not start is reported in `couldNotStart`, never silently dropped; an unreachable host halts the
 * restore, and the operator may retry or skip it (it is then reported too).
 */
import { haltableStep, StateConfig } from '../core/haltable-step';
import type { EffectOutputs } from '../core/effects';
import { hostsDown, inStartOrder, markStarted, SpocProcedureContext } from './spoc-procedure-context';

export const RESTORE_STEP = 'restoreStoppedServices';

/** Guards the `aborting` block uses, by name so a chart shows them; a machine with it passes these to `setup`. */
export const ABORT_RESTORE_GUARDS = {
  /** No host has a service left that this procedure stopped and has not started. */
  nothingLeftToStartAgain: ({ context }: { context: SpocProcedureContext }) => hostsDown(context.down).length === 0,
};

/** The `aborting` block; it ends in the sibling state named by `next`. */
export function abortRestoreStates<C extends SpocProcedureContext & { input: { waits: { serviceTimeoutSeconds: number } } }>(next: string): StateConfig {
  const firstHost = (c: C): string => hostsDown(c.down)[0] ?? '';
  return {
    description: 'Aborting: start again every service this procedure stopped, then stop.',
    initial: 'nextHost',
    states: {
      nextHost: {
        always: [{ guard: 'nothingLeftToStartAgain', target: 'finished' }, { target: RESTORE_STEP }],
      },
      [RESTORE_STEP]: haltableStep<C, EffectOutputs['start-services']>({
        id: RESTORE_STEP,
        description: 'Start the services this procedure stopped on one host, in runbook order.',
        effect: (c) => ({
          step: RESTORE_STEP,
          title: `Abort: start again what was stopped on ${firstHost(c)}`,
          action: 'start-services',
          host: firstHost(c),
          services: inStartOrder(c.down[firstHost(c)] ?? []),
          timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
          bestEffort: true,
        }),
        next: 'nextHost',
        onDone: (c, out) => {
          const host = firstHost(c);
          const failedNames = out.failed.map((f) => f.service);
          return {
            down: markStarted(markStarted(c.down, host, out.started), host, failedNames),
            couldNotStart: out.failed.length ? { ...c.couldNotStart, [host]: out.failed } : c.couldNotStart,
          } as Partial<C>;
        },
        skipSafeBecause: 'the host is left as it is and the result lists its services as not started',
        onSkip: (c) => {
          const host = firstHost(c);
          const left = (c.down[host] ?? []).map((service) => ({ service, reason: 'restore skipped by the operator' }));
          return { down: markStarted(c.down, host, c.down[host] ?? []), couldNotStart: { ...c.couldNotStart, [host]: left } } as Partial<C>;
        },
      }),
      finished: { type: 'final' },
    },
    onDone: { target: next },
  };
}
