/**
 * The steps of one site server's OS restart, written once: the group procedure runs them member
 * by member, the standalone procedure runs them on every server at once (parallel lanes).
 *
 *   noteRunningServices  which SPOC services run now: exactly these must run again after the boot
 *   restartOs            shutdown.exe /r on the host (once per step, even when retried)
 *   awaitHostRestarted   the host booted after the request and those services run again: observed
 *                        on the host after the boot, not taken from the request's answer
 *   awaitSpocOnline      the Management Server shows the SPOC online since the boot (an online
 *                        status from before the restart does not count); how it saw the other
 *                        members then tells whether one of them was down at the same time
 */
import type { EffectOutputs } from '../core/effects';
import { haltableStep, StateConfig } from '../core/haltable-step';
import type { LaneStep, ParallelContext } from '../core/parallel-host-steps';
import type { OsRestartWaits } from './os-restart-input';
import type { SpocMember } from './spoc-group-input';
import { markStarted, markStopped, SpocProcedureContext } from './spoc-procedure-context';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from './spoc-services';

export interface OsRestartContext extends SpocProcedureContext, ParallelContext {
  input: { waits: OsRestartWaits };
  /** SPOC services running before the restart, per host: the ones that must run after it. */
  servicesBeforeRestart: Record<string, string[]>;
  /** When the restart was requested, per host (host clock). */
  restartRequestedAt: Record<string, string>;
  /** When each host booted after its restart (host clock). */
  bootedAt: Record<string, string>;
  /** Other members of the group that the Management Server showed down or newly online after a member's restart. */
  parallelRestartSeen: string[];
}

export function initialOsRestartContext(): Pick<OsRestartContext, 'lanes' | 'servicesBeforeRestart' | 'restartRequestedAt' | 'bootedAt' | 'parallelRestartSeen'> {
  return { lanes: {}, servicesBeforeRestart: {}, restartRequestedAt: {}, bootedAt: {}, parallelRestartSeen: [] };
}

export const OS_RESTART_STEP_IDS = {
  noteRunningServices: 'noteRunningServices',
  restartOs: 'restartOs',
  awaitHostRestarted: 'awaitHostRestarted',
  awaitSpocOnline: 'awaitSpocOnline',
} as const;

const spocServicesOf = (member: SpocMember) => [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE, ...(member.otherServices ?? [])];

/**
 * The four steps for the server `memberOf(c, host)`; `othersOf` names the members whose view on
 * the Management Server is read when this one is back (none for standalone SPOCs).
 */
export function osRestartSteps<C extends OsRestartContext>(opts: {
  memberOf: (c: C, host: string) => SpocMember;
  othersOf: (c: C, host: string) => string[];
}): LaneStep<C>[] {
  const ids = OS_RESTART_STEP_IDS;
  const noteRunning: LaneStep<C, EffectOutputs['query-services']> = {
    id: ids.noteRunningServices,
    description: 'Note which SPOC services run, so exactly these are checked after the boot.',
    effect: (c, host) => {
      const member = opts.memberOf(c, host);
      // Without a list of other services, every other vendor service that runs counts, as in step 3.
      return { step: ids.noteRunningServices, title: `Note the running SPOC services on ${host}`, action: 'query-services', host, services: spocServicesOf(member), ...(member.otherServices === undefined ? { otherVendorServices: true } : {}) };
    },
    onDone: (c, host, out) => ({ servicesBeforeRestart: { ...c.servicesBeforeRestart, [host]: out.running } }) as Partial<C>,
  };
  const restart: LaneStep<C, EffectOutputs['restart-os']> = {
    id: ids.restartOs,
    description: 'Restart the operating system: Windows stops every service, reboots and starts them again.',
    effect: (c, host) => ({ step: ids.restartOs, title: `Restart the OS of ${host}`, action: 'restart-os', host, delaySeconds: c.input.waits.restartDelaySeconds }),
    onDone: (c, host, out) =>
      ({
        restartRequestedAt: { ...c.restartRequestedAt, [host]: out.requestedAt },
        down: markStopped(c.down, host, c.servicesBeforeRestart[host] ?? []),
      }) as Partial<C>,
  };
  const awaitRestarted: LaneStep<C, EffectOutputs['await-host-restarted']> = {
    id: ids.awaitHostRestarted,
    description: 'Wait until the host has booted after the request and its SPOC services run again.',
    effect: (c, host) => ({
      step: ids.awaitHostRestarted,
      title: `Wait until ${host} is back and its services run`,
      action: 'await-host-restarted',
      host,
      since: c.restartRequestedAt[host] ?? new Date(0).toISOString(),
      services: c.servicesBeforeRestart[host] ?? [],
      timeoutSeconds: c.input.waits.bootTimeoutSeconds,
    }),
    onDone: (c, host, out) => ({ bootedAt: { ...c.bootedAt, [host]: out.bootedAt }, down: markStarted(c.down, host, out.running) }) as Partial<C>,
  };
  const awaitOnline: LaneStep<C, EffectOutputs['await-spoc-online']> = {
    id: ids.awaitSpocOnline,
    description: 'Wait until the SPOC shows online on the Management Server (Devices > Spooler Controller Groups) since the boot.',
    effect: (c, host) => ({
      step: ids.awaitSpocOnline,
      title: `Wait until ${host} shows online on the Management Server`,
      action: 'await-spoc-online',
      host,
      since: c.bootedAt[host] ?? new Date(0).toISOString(),
      others: opts.othersOf(c, host),
      timeoutSeconds: c.input.waits.onlineTimeoutSeconds,
    }),
    onDone: (c, host, out) => {
      const requested = Date.parse(c.restartRequestedAt[host] ?? '');
      const downMeanwhile = Object.entries(out.others)
        .filter(([, seen]) => !seen.online || seen.onlineSince === null || Date.parse(seen.onlineSince) > requested)
        .map(([other]) => other)
        .filter((other) => !c.parallelRestartSeen.includes(other));
      return { parallelRestartSeen: [...c.parallelRestartSeen, ...downMeanwhile] } as Partial<C>;
    },
  };
  return [noteRunning, restart, awaitRestarted, awaitOnline] as LaneStep<C>[];
}

/** The same steps as haltable states for one member at a time, chained, ending in `next`. */
export function sequentialOsRestartStates<C extends OsRestartContext>(steps: LaneStep<C>[], hostOf: (c: C) => string, next: string): Record<string, StateConfig> {
  return Object.fromEntries(
    steps.map((step, i) => [
      step.id,
      haltableStep<C>({
        id: step.id,
        description: step.description,
        effect: (c) => step.effect(c, hostOf(c)),
        next: steps[i + 1]?.id ?? next,
        ...(step.onDone ? { onDone: (c: C, out: unknown) => step.onDone?.(c, hostOf(c), out) ?? {} } : {}),
      }),
    ]),
  );
}
