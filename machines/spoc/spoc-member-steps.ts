/**
 * The per-member steps of the SPOC runbooks, written once and reused by every SPOC procedure.
 * Each builder returns haltable steps chained in runbook order; a `prefix` keeps step ids unique
 * when one machine uses the same steps twice (e.g. for a new member and for the original group).
 */
import { haltableStep, StateConfig } from '../core/haltable-step';
import type { EffectOutputs } from '../core/effects';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from './spoc-services';
import type { SpocMember } from './spoc-group-input';
import { markStarted, markStopped, SpocProcedureContext } from './spoc-procedure-context';

/** The waits the per-member steps read from the procedure input. */
export interface MemberWaits {
  serviceTimeoutSeconds: number;
  groupServiceTimeoutSeconds: number;
  onlineTimeoutSeconds: number;
  rescueTimeoutSeconds: number;
}

export type WithWaits = SpocProcedureContext & { input: { waits: MemberWaits } };

/** Picks the member the steps act on from the context (e.g. the current member of a loop). */
export type MemberOf<C> = (context: C) => SpocMember;

/** How a start block differs where the runbook says less (a removed SPOC, a newly added one). */
export interface StartOptions {
  /**
   * 'verify': the group service must start by itself within 1-2 minutes (a group member).
   * 'standalone': the SPOC left its group; the runbook does not start its group service again.
   */
  groupService?: 'verify' | 'standalone';
  /** Whether to wait for ONLINE before starting the other services. */
  awaitOnline?: boolean;
}

interface StepsOptions<C extends WithWaits> {
  prefix: string;
  memberOf: MemberOf<C>;
  /** Where to go after the last step of this block. */
  next: string;
}

/** Step ids of a block, so machines and tests can name them. */
export function stopStepIds(prefix: string) {
  return {
    stopSpoc: `${prefix}StopSpoc`,
    stopGroupService: `${prefix}StopGroupService`,
    stopTerminalServer: `${prefix}StopTerminalServer`,
    surveyOtherServices: `${prefix}SurveyOtherServices`,
    stopOtherServices: `${prefix}StopOtherServices`,
  };
}

export function startStepIds(prefix: string) {
  return {
    startSpoc: `${prefix}StartSpoc`,
    verifyGroupService: `${prefix}VerifyGroupService`,
    startGroupService: `${prefix}StartGroupService`,
    startTerminalServer: `${prefix}StartTerminalServer`,
    awaitOnline: `${prefix}AwaitOnline`,
    startOtherServices: `${prefix}StartOtherServices`,
  };
}

export function convergenceStepIds(prefix: string) {
  return { awaitRescueFinished: `${prefix}AwaitRescueFinished`, convergenceWait: `${prefix}ConvergenceWait` };
}

function stopOne<C extends WithWaits>(
  id: string,
  memberOf: MemberOf<C>,
  service: string,
  description: string,
  next: string,
): StateConfig {
  return haltableStep<C, EffectOutputs['stop-service']>({
    id,
    description,
    effect: (c) => ({
      step: id,
      title: `Stop ${service} on ${memberOf(c).host}`,
      action: 'stop-service',
      host: memberOf(c).host,
      service,
      timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
    }),
    next,
    // Possibly down from the moment the stop is asked for: a stop that acts but is never answered
    // done (aborted while it runs, failed after the service stopped) is still restored or reported.
    onEnter: (c) => ({ down: markStopped(c.down, memberOf(c).host, [service]) }) as Partial<C>,
    onDone: (c, out) =>
      ({
        down: markStopped(c.down, memberOf(c).host, [service]),
        ...(service === SPOC_SERVICE ? { spocStoppedAt: { ...c.spocStoppedAt, [memberOf(c).host]: out.at } } : {}),
      }) as Partial<C>,
  });
}

/** Runbook steps 1-3: stop SPOC and group service, terminal server, the other services. */
export function stopMemberSteps<C extends WithWaits>({ prefix, memberOf, next }: StepsOptions<C>): Record<string, StateConfig> {
  const ids = stopStepIds(prefix);
  return {
    [ids.stopSpoc]: stopOne(ids.stopSpoc, memberOf, SPOC_SERVICE, 'Step 1: stop the Spooler Controller (SPOC).', ids.stopGroupService),
    [ids.stopGroupService]: stopOne(ids.stopGroupService, memberOf, GROUP_SERVICE, 'Step 1: stop the Spooler Controller Group Service.', ids.stopTerminalServer),
    [ids.stopTerminalServer]: stopOne(ids.stopTerminalServer, memberOf, TERMINAL_SERVER_SERVICE, 'Step 2: stop the Terminal Server.', ids.surveyOtherServices),
    [ids.surveyOtherServices]: haltableStep<C, EffectOutputs['survey-other-services']>({
      id: ids.surveyOtherServices,
      description:
        'Step 3: note which other YSoft services run (every vendor service on the host but the SPOC, group service, terminal server and the protected ones; only those listed when the input lists them), so exactly those are stopped and started again.',
      effect: (c) => {
        const only = memberOf(c).otherServices;
        return {
          step: ids.surveyOtherServices,
          title: `Note the running other YSoft services on ${memberOf(c).host}`,
          action: 'survey-other-services',
          host: memberOf(c).host,
          ...(only !== undefined ? { only } : {}),
        };
      },
      next: ids.stopOtherServices,
      onDone: (c, out) => ({ othersRunning: { ...c.othersRunning, [memberOf(c).host]: out.running } }) as Partial<C>,
    }),
    [ids.stopOtherServices]: haltableStep<C, EffectOutputs['stop-services']>({
      id: ids.stopOtherServices,
      description: 'Step 3: stop the other YSoft services (never the protected ones).',
      effect: (c) => ({
        step: ids.stopOtherServices,
        title: `Stop the other services on ${memberOf(c).host}`,
        action: 'stop-services',
        host: memberOf(c).host,
        services: c.othersRunning[memberOf(c).host] ?? [],
        timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
      }),
      next,
      // As for the role services: possibly down from the moment their stop is asked for.
      onEnter: (c) => ({ down: markStopped(c.down, memberOf(c).host, c.othersRunning[memberOf(c).host] ?? []) }) as Partial<C>,
      onDone: (c) => ({ down: markStopped(c.down, memberOf(c).host, c.othersRunning[memberOf(c).host] ?? []) }) as Partial<C>,
    }),
  };
}

/**
 * Runbook steps "start SPOC and verify the group service within 1-2 minutes", "start terminal
 * server", "wait until ONLINE", "start the other services stopped in step 3".
 */
export function startMemberSteps<C extends WithWaits>(
  { prefix, memberOf, next, groupService = 'verify', awaitOnline = true }: StepsOptions<C> & StartOptions,
): Record<string, StateConfig> {
  const ids = startStepIds(prefix);
  const steps: Record<string, StateConfig> = {
    [ids.startSpoc]: haltableStep<C, EffectOutputs['start-service']>({
      id: ids.startSpoc,
      description: 'Start the Spooler Controller (SPOC).',
      effect: (c) => ({
        step: ids.startSpoc,
        title: `Start ${SPOC_SERVICE} on ${memberOf(c).host}`,
        action: 'start-service',
        host: memberOf(c).host,
        service: SPOC_SERVICE,
        timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
      }),
      next: groupService === 'verify' ? ids.verifyGroupService : ids.startTerminalServer,
      onDone: (c, out) =>
        ({
          down: markStarted(c.down, memberOf(c).host, groupService === 'verify' ? [SPOC_SERVICE] : [SPOC_SERVICE, GROUP_SERVICE]),
          // Log checks trust only lines after this start. When the start had already taken effect
          // (a retried step), the SPOC stop this procedure made is the safe lower bound.
          spocStartedAt: {
            ...c.spocStartedAt,
            [memberOf(c).host]: out.outcome === 'started' ? out.at : (c.spocStoppedAt[memberOf(c).host] ?? out.at),
          },
        }) as Partial<C>,
    }),
    [ids.verifyGroupService]: haltableStep<C, EffectOutputs['await-service-running']>({
      id: ids.verifyGroupService,
      description: 'Verify that the Group Service starts by itself within 1-2 minutes. If not: check again, start it, or abort.',
      effect: (c) => ({
        step: ids.verifyGroupService,
        title: `Verify ${GROUP_SERVICE} starts by itself on ${memberOf(c).host}`,
        action: 'await-service-running',
        host: memberOf(c).host,
        service: GROUP_SERVICE,
        timeoutSeconds: c.input.waits.groupServiceTimeoutSeconds,
      }),
      next: ids.startTerminalServer,
      onDone: (c) => ({ down: markStarted(c.down, memberOf(c).host, [GROUP_SERVICE]) }) as Partial<C>,
      haltedOn: { 'operator.startGroupService': { target: `#${ids.startGroupService}` } },
    }),
    [ids.startGroupService]: haltableStep<C, EffectOutputs['start-service']>({
      id: ids.startGroupService,
      description: 'The operator chose to start the Group Service by hand; then it is verified again.',
      effect: (c) => ({
        step: ids.startGroupService,
        title: `Start ${GROUP_SERVICE} on ${memberOf(c).host}`,
        action: 'start-service',
        host: memberOf(c).host,
        service: GROUP_SERVICE,
        timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
      }),
      next: ids.verifyGroupService,
    }),
    [ids.startTerminalServer]: haltableStep<C, EffectOutputs['start-service']>({
      id: ids.startTerminalServer,
      description: 'Start the Terminal Server.',
      effect: (c) => ({
        step: ids.startTerminalServer,
        title: `Start ${TERMINAL_SERVER_SERVICE} on ${memberOf(c).host}`,
        action: 'start-service',
        host: memberOf(c).host,
        service: TERMINAL_SERVER_SERVICE,
        timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
      }),
      next: awaitOnline ? ids.awaitOnline : ids.startOtherServices,
      onDone: (c) => ({ down: markStarted(c.down, memberOf(c).host, [TERMINAL_SERVER_SERVICE]) }) as Partial<C>,
    }),
    [ids.awaitOnline]: haltableStep<C, EffectOutputs['await-lifecycle-online']>({
      id: ids.awaitOnline,
      description: 'Wait until spoc_lifecycle.log says ONLINE (only lines written after this start count).',
      effect: (c) => ({
        step: ids.awaitOnline,
        title: `Wait for ONLINE in spoc_lifecycle.log on ${memberOf(c).host}`,
        action: 'await-lifecycle-online',
        host: memberOf(c).host,
        installDir: memberOf(c).installDir,
        since: c.spocStartedAt[memberOf(c).host] ?? '',
        timeoutSeconds: c.input.waits.onlineTimeoutSeconds,
      }),
      next: ids.startOtherServices,
    }),
    [ids.startOtherServices]: haltableStep<C, EffectOutputs['start-services']>({
      id: ids.startOtherServices,
      description: 'Start the other services stopped in step 3, exactly those.',
      effect: (c) => ({
        step: ids.startOtherServices,
        title: `Start the other services stopped in step 3 on ${memberOf(c).host}`,
        action: 'start-services',
        host: memberOf(c).host,
        services: c.othersRunning[memberOf(c).host] ?? [],
        timeoutSeconds: c.input.waits.serviceTimeoutSeconds,
      }),
      next,
      onDone: (c, out) => ({ down: markStarted(c.down, memberOf(c).host, out.started) }) as Partial<C>,
    }),
  };
  if (groupService !== 'verify') {
    delete steps[ids.verifyGroupService];
    delete steps[ids.startGroupService];
  }
  if (!awaitOnline) delete steps[ids.awaitOnline];
  return steps;
}


/** Step 8 of the restart without cache deletion: rescue finished in spoc.log, then circa 5 minutes. */
export function convergenceSteps<C extends WithWaits>(
  { prefix, memberOf, next }: StepsOptions<C>,
): Record<string, StateConfig> {
  const ids = convergenceStepIds(prefix);
  return {
    [ids.awaitRescueFinished]: haltableStep<C, EffectOutputs['await-rescue-finished']>({
      id: ids.awaitRescueFinished,
      description: 'Step 8: wait until spoc.log says the cache rescue finished (only lines after this start count).',
      effect: (c) => ({
        step: ids.awaitRescueFinished,
        title: `Wait for the cache rescue to finish on ${memberOf(c).host}`,
        action: 'await-rescue-finished',
        host: memberOf(c).host,
        installDir: memberOf(c).installDir,
        since: c.spocStartedAt[memberOf(c).host] ?? '',
        timeoutSeconds: c.input.waits.rescueTimeoutSeconds,
      }),
      next: ids.convergenceWait,
    }),
    [ids.convergenceWait]: {
      description: 'Step 8: wait for the distributed layer to converge (circa 5 minutes after the rescue finished).',
      tags: ['waiting'],
      after: { convergence: next },
    },
  };
}
