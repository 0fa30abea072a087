/**
 * The FlexiSpooler activities. A client's activities run on its own agent, because what is
 * reachable depends on where the computer is; the release is watched centrally. Both talk to the
 * estate through a port (`FlexiSpoolerNetwork`, `JobReleaseSource`): the simulated network
 * (simulator/flexispooler/) implements it; on a real estate the vendor's client does the delivery
 * itself and its protocol is not public, so a real agent refuses these steps (agent/).
 *
 * Idempotent by the job id: every delivery names it and the servers dedupe on it, so a delivery
 * repeated by Temporal's retry, or after the workers were killed mid-delivery, answers
 * `already-held` and the job is held, and printed, once.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ActivitiesOf, EffectOf, FlexiSpoolerActionWord } from '../../machines/actions';
import type { DeliveryOutcome } from '../../machines/flexispooler/flexispooler-actions';
import { sameName } from '../../machines/core/names';
import { heartbeatWithDetails, whileHeartbeating } from '../core/host-activity';

/** One print job as a server takes it. */
export interface PrintJob {
  jobId: string;
  user: string;
  document: string;
}

/** The estate as seen from one client's computer, wherever it is now. */
export interface FlexiSpoolerNetwork {
  /** DHCP option 9 on the client's current network: the Spooler Controllers it names, or null when it does not come. */
  dhcpOption9(client: string): Promise<string[] | null>;
  /** Send the job to a Spooler Controller (its Spooling Server holds it); deduped on the job id: `heldBy` names the server that holds it. */
  deliverToSpoolerController(client: string, server: string, job: PrintJob): Promise<{ outcome: DeliveryOutcome; heldBy: string | null }>;
  /** Send the job through the public FlexiSpooler Server to a data-center FlexiSpooler Server; deduped on the job id. */
  deliverThroughPublicServer(client: string, publicServer: string, job: PrintJob): Promise<{ outcome: DeliveryOutcome; dataCenterServer: string | null }>;
}

/** Where a held job was printed, once its user authenticated at a printer. */
export interface JobRelease {
  printer: string;
  office: string;
  printedAt: string;
}

/** The servers' view of held jobs, read centrally. */
export interface JobReleaseSource {
  /** The job's release, or null while it is held (or not known to the server). */
  releaseOf(server: string, jobId: string): Promise<JobRelease | null>;
}

/** The client-side activities, held to one client (a step meant for another is refused). */
export function createFlexiSpoolerClientActivities(client: string, network: FlexiSpoolerNetwork): ActivitiesOf<'host', FlexiSpoolerActionWord> {
  const forThisClient = (effect: { host: string }) => {
    if (!sameName(effect.host, client)) {
      throw ApplicationFailure.nonRetryable(`this agent runs on ${client}, not ${effect.host}: refusing to act for another client`, 'InvalidEffectError');
    }
  };
  const jobOf = (e: EffectOf<'deliver-to-spooler-controller'> | EffectOf<'deliver-through-public-server'>): PrintJob => ({ jobId: e.jobId, user: e.user, document: e.document });
  return {
    discoverSpoolerControllers: async (effect) => {
      forThisClient(effect);
      return { option9: await whileHeartbeating(() => network.dhcpOption9(client)) };
    },
    deliverToSpoolerController: async (effect) => {
      forThisClient(effect);
      return await whileHeartbeating(() => network.deliverToSpoolerController(client, effect.server, jobOf(effect)));
    },
    deliverThroughPublicServer: async (effect) => {
      forThisClient(effect);
      return await whileHeartbeating(() => network.deliverThroughPublicServer(client, effect.publicServer, jobOf(effect)));
    },
  };
}

/** The central activity: watch the server that holds the job until it is printed, or the watch period ends. */
export function createJobReleaseActivities(source: JobReleaseSource, opts: { pollMs?: number } = {}): ActivitiesOf<'central', FlexiSpoolerActionWord> {
  const pollMs = opts.pollMs ?? 500;
  return {
    awaitJobRelease: (effect) =>
      whileHeartbeating(async () => {
        const until = Date.now() + effect.maxWatchMs;
        for (;;) {
          const release = await source.releaseOf(effect.server, effect.jobId);
          if (release) return { released: true, ...release };
          heartbeatWithDetails({ server: effect.server, job: effect.jobId, held: true });
          if (Date.now() >= until) return { released: false, printer: null, office: null, printedAt: null };
          await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(0, until - Date.now()))));
        }
      }),
  };
}
