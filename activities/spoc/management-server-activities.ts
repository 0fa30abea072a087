/**
 * Activities of the central worker: what the procedures ask the Management Server. They only
 * read, so running them twice does no harm.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { EffectOf, EffectOutputs } from '../../machines/core/effects';
import type { ActivitiesOf, SpocActionWord } from '../../machines/actions';
import { isNonRetryableErrorType } from '../core/non-retryable-errors';
import type { LoadUnknown, ManagementServerView, SpocStatus } from './management-server';

export interface CentralActivityOptions {
  /** How often to ask the Management Server while waiting for a SPOC. */
  pollMs?: number;
}

export function createCentralActivities(managementServer: ManagementServerView, options: CentralActivityOptions = {}) {
  const pollMs = options.pollMs ?? 1000;

  const unreachable = (err: unknown) =>
    ApplicationFailure.nonRetryable(
      `the Management Server (${managementServer.address}) is not reachable: ${err instanceof Error ? err.message : String(err)}. Start it before the procedure stops anything.`,
      'ManagementServerUnreachableError',
    );

  return {
    async checkManagementServer(_effect: EffectOf<'check-management-server'>): Promise<EffectOutputs['check-management-server']> {
      try {
        await managementServer.ping();
      } catch (err) {
        throw unreachable(err);
      }
      return { reachable: true };
    },

    async checkNoLoad(effect: EffectOf<'check-no-load'>): Promise<EffectOutputs['check-no-load']> {
      const status = await managementServer.spocStatus(effect.hosts);
      const unknown = effect.hosts.map((h) => ({ host: h, why: loadUnknownOf(status[h]) })).filter((u) => u.why !== undefined);
      if (unknown.length > 0) throw loadUnknownFailure(unknown as { host: string; why: LoadUnknown }[]);
      const activeJobs = Object.fromEntries(effect.hosts.map((h) => [h, status[h]?.activeJobs ?? 0]));
      const loaded = Object.entries(activeJobs).filter(([, jobs]) => jobs > 0);
      if (loaded.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `members under load: ${loaded.map(([h, j]) => `${h} has ${j} active jobs`).join(', ')}. Wait until printing stops, or override the load check explicitly.`,
          'MembersUnderLoadError',
        );
      }
      return { activeJobs };
    },

    /** Every SPOC named is online on the Management Server now (and, when asked, in no group). */
    async checkSpocsOnline(effect: EffectOf<'check-spocs-online'>): Promise<EffectOutputs['check-spocs-online']> {
      const status = await managementServer.spocStatus(effect.hosts);
      const grouped = effect.standalone ? effect.hosts.filter((h) => status[h]?.group) : [];
      if (grouped.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `${grouped.map((h) => `${h} is a member of SPOC group ${status[h]?.group}`).join(', ')}: members of a group are restarted one at a time (restart-os-of-group-members), never in parallel`,
          'SpocInGroupError',
        );
      }
      const offline = effect.hosts.filter((h) => !status[h]?.online);
      if (offline.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `${offline.join(', ')} ${offline.length === 1 ? 'is' : 'are'} not online on the Management Server; restarting another member now would take two members of the group down at once`,
          'SpocsNotOnlineError',
        );
      }
      return { online: effect.hosts };
    },

    /**
     * Waits until the Management Server shows the SPOC online since `since` (its boot): an online
     * status from before the restart, which the Management Server may still show, does not count.
     */
    async awaitSpocOnline(effect: EffectOf<'await-spoc-online'>): Promise<EffectOutputs['await-spoc-online']> {
      const info = Context.current().info;
      const until = Number(info.scheduledTimestampMs ?? Date.now()) + effect.timeoutSeconds * 1000;
      const since = Date.parse(effect.since);
      let last: SpocStatus | undefined;
      for (;;) {
        let status: Record<string, SpocStatus>;
        try {
          status = await managementServer.spocStatus([effect.host, ...effect.others]);
        } catch (err) {
          // A refusal a retry cannot fix (a SPOC the deployment does not know) is not an unreachable server.
          if (err instanceof Error && isNonRetryableErrorType(err.name)) throw err;
          throw unreachable(err);
        }
        last = status[effect.host];
        if (last?.online && last.onlineSince !== null && Date.parse(last.onlineSince) >= since) {
          const others = Object.fromEntries(effect.others.map((h) => [h, { online: status[h]?.online ?? false, onlineSince: status[h]?.onlineSince ?? null }]));
          return { onlineAt: last.onlineSince, others };
        }
        if (Date.now() >= until) {
          throw ApplicationFailure.nonRetryable(
            `${effect.host} is not online on the Management Server within ${effect.timeoutSeconds} s of its boot (${last?.online ? `online only since ${last.onlineSince}, before the boot` : 'offline'})`,
            'StepTimedOutError',
          );
        }
        Context.current().heartbeat();
        await Context.current().sleep(pollMs);
      }
    },
  } satisfies ActivitiesOf<'central', SpocActionWord>;
}

/** Why a SPOC's load is not known: as the view says, or because it did not report the SPOC at all. */
function loadUnknownOf(status: SpocStatus | undefined): LoadUnknown | undefined {
  if (status === undefined) return { kind: 'load-source-failed', reason: 'the Management Server view did not report it' };
  if (status.activeJobs !== null) return undefined;
  return status.loadUnknown ?? { kind: 'load-source-failed', reason: 'its load was not given' };
}

/** The workflow the activity runs for, to name in the attestation command; a placeholder outside an activity. */
function workflowIdOrPlaceholder(): string {
  try {
    return Context.current().info.workflowExecution?.workflowId ?? '<workflow id>';
  } catch {
    return '<workflow id>';
  }
}

/**
 * The load of some members is unknown: the check must not pass. Without a load source nothing can
 * be asked, so it halts at once for the operator's attestation; a load source that failed is
 * asked again by the step's retries first.
 */
function loadUnknownFailure(unknown: { host: string; why: LoadUnknown }[]): ApplicationFailure {
  const attest = `spoolflow operator ${workflowIdOrPlaceholder()} overrideLoad --operator <your name> --reason <how you know nobody prints, copies or scans on them>`;
  const hosts = unknown.map((u) => u.host).join(', ');
  const noSource = unknown.find((u) => u.why.kind === 'no-load-source');
  if (noSource) {
    return ApplicationFailure.nonRetryable(
      `the load of ${hosts} is unknown: ${noSource.why.reason}. Nothing was checked. Make sure that nobody prints, copies or scans on ${unknown.length === 1 ? 'it' : 'them'}, then attest it: ${attest} (recorded in the result); or configure a load source and retry.`,
      'NoLoadSourceError',
    );
  }
  return ApplicationFailure.retryable(
    `the load of ${unknown.map((u) => `${u.host} is unknown (${u.why.reason})`).join('; ')}. Fix the load source and retry, or make sure that nobody prints, copies or scans there and attest it: ${attest}.`,
    'LoadSourceError',
  );
}

export type CentralActivities = ReturnType<typeof createCentralActivities>;
