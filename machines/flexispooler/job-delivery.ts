/**
 * One print job's delivery by a FlexiSpooler Client (docs/flexispooler-failover.md), read from the
 * vendor's "Failover mechanism" page: the client keeps the job until a server takes it.
 *
 *   locating                 where the client is: DHCP option 9, else the last location kept;
 *                            or the locations map set at installation; or an operator's redirect
 *   trying                   the location's Spooler Controllers one after another, in the
 *                            defined order (option 9's, or the map's): the first that is
 *                            reachable takes the job (failover: the next one when one is down)
 *   deliverThroughPublicServer  none reachable, a public FlexiSpooler Server configured: the job
 *                            goes through it to a FlexiSpooler Server in the data center (not
 *                            spooled locally)
 *   waitingForConnection     nothing reachable: the job stays queued on the client, says why,
 *                            and is tried again after `retrySeconds` (or now, on operator.retry)
 *   heldForRelease           a server holds the job until the user authenticates at a printer,
 *                            in any office; then it is printed from there
 *   unwatched                an operator stopped watching a held job (operator.abort): the
 *                            server still holds it and prints it when its user authenticates
 *
 * Every delivery carries the job id; the servers dedupe on it, so a delivery repeated after a lost
 * answer or a crash holds, and prints, the job once. Another server is tried only after the
 * previous one answered `unreachable`, i.e. certainly did not take it.
 *
 * Beyond the document: while the job waits an operator may redirect it to another location's
 * Spooler Controllers (`operator.redirect`) or cancel it (`operator.cancel`). Neither is accepted
 * while a delivery is in flight, so a cancelled job was never handed to a server by this workflow.
 * While a server holds the job an operator may stop watching it (`operator.abort`): the servers
 * keep a held job for as long as its user does not come, and the delivery would watch it as long.
 */
import { assign, setup } from 'xstate';
import type { Effect, EffectOutputs } from '../core/effects';
import { ClientLocation, locationFromDhcp, locationFromMap, locationFromOperator } from './client-location';
import { deliveryStep } from './delivery-steps';
import { locationNames, spoolerControllersOf } from './estate-locations';
import type { JobDeliveryInput } from './job-delivery-input';

/** One delivery attempt, for the status and the result. */
export interface DeliveryAttempt {
  server: string;
  via: 'spooler-controller' | 'public-server';
  outcome: EffectOutputs['deliver-to-spooler-controller']['outcome'] | 'failed';
}

export interface HeldOn {
  server: string;
  via: 'spooler-controller' | 'public-server';
  /** The public server it went through (via the data center). */
  publicServer?: string;
}

export interface JobDeliveryContext {
  input: JobDeliveryInput;
  halt: null;
  location: ClientLocation | null;
  /** The index in `location.controllers` of the controller tried now. */
  tryIndex: number;
  /** How many times the client went round its servers. */
  rounds: number;
  attempts: DeliveryAttempt[];
  waitingBecause: string | null;
  heldOn: HeldOn | null;
  release: { printer: string | null; office: string | null; printedAt: string | null } | null;
  redirect: { location: string; operator?: string } | null;
  cancelled: { operator?: string; reason?: string } | null;
  /** Who stopped watching the held job, and why (absent in runs begun before it could be). */
  unwatched?: { operator?: string; reason?: string } | null;
  /** The last delivery answer, read by the decision that follows it. */
  lastOutcome: DeliveryAttempt['outcome'] | null;
  /** The server the last answer said holds the job. */
  lastHeldBy: string | null;
  /**
   * Servers a delivery went to that never answered since (the client's agent failed meanwhile):
   * the job may be held there. Kept apart from `attempts`, which keeps only the newest, so a long
   * wait does not forget one (absent in runs begun before it was kept: then read from `attempts`).
   */
  unanswered?: string[];
}
type C = JobDeliveryContext;

/** Attempts kept in the context (the newest): enough to say what was tried, bounded for long waits. */
export const ATTEMPTS_KEPT = 30;

type OperatorEvent = { type: string; operator?: string; reason?: string; location?: string };

/** Who gave an operator command, and why, as the result keeps it. */
const attribution = (e: OperatorEvent) => ({ ...(e.operator ? { operator: e.operator } : {}), ...(e.reason ? { reason: e.reason } : {}) });
const jobFields = (c: C) => ({ jobId: c.input.job.id, user: c.input.user, document: c.input.job.document });
const currentController = (c: C): string => c.location?.controllers[c.tryIndex] ?? '';
const lastLocation = (c: C): string => (c.location && c.location.source !== 'operator' && !c.location.location.startsWith('unmapped') ? c.location.location : (c.input.lastLocation ?? c.input.installation.location));
const noted = (c: C, attempt: DeliveryAttempt): DeliveryAttempt[] => [...c.attempts, attempt].slice(-ATTEMPTS_KEPT);
/** An attempt's mark on the servers that may hold the job unanswered: a failure adds its server, an answer takes it off. */
const unansweredAfter = (c: C, attempt: DeliveryAttempt): string[] => {
  const now = unansweredServers(c);
  // "Unreachable" is the agent's answer that the server was not reached: nothing changes.
  if (attempt.outcome === 'unreachable') return now;
  const others = now.filter((server) => server !== attempt.server);
  return attempt.outcome === 'failed' ? [...others, attempt.server] : others;
};
/** The context after one more attempt: kept in the newest attempts and in the servers that may hold the job. */
const withAttempt = (c: C, attempt: DeliveryAttempt) => ({ attempts: noted(c, attempt), unanswered: unansweredAfter(c, attempt) });
const delivered = (outcome: string) => outcome === 'accepted' || outcome === 'already-held';

function waitReason(c: C): string {
  const where = c.location;
  if (!where) return 'the client has not found its location yet';
  const tried = where.controllers.length > 0 ? `no Spooler Controller of ${where.location} reachable (${where.controllers.join(', ')}, tried in this order)` : `${where.location} has no Spooler Controller`;
  const because = where.source === 'kept-last' || where.source === 'locations-map' ? `; ${where.why}` : '';
  const publicServer = c.input.estate.publicServer ? `; the public FlexiSpooler Server ${c.input.estate.publicServer.host} not reachable either (no internet connection?)` : '; no public FlexiSpooler Server configured';
  return `${tried}${because}${publicServer}: the job stays queued on ${c.input.client}, tried again in ${c.input.waits.retrySeconds} s`;
}

export const jobDeliveryMachine = setup({
  types: { context: {} as C, input: {} as JobDeliveryInput },
  actions: { effect: (_args, _effect: Effect) => undefined },
  delays: { retry: ({ context }: { context: C }) => context.input.waits.retrySeconds * 1000 },
  guards: {
    /** An operator redirected the job: its location is the operator's, not the network's. */
    isRedirected: ({ context }) => context.redirect !== null,
    discoversThroughDhcp: ({ context }) => context.input.installation.discovery === 'dhcp-option-9',
    hasControllerLeft: ({ context }) => context.tryIndex < (context.location?.controllers.length ?? 0),
    hasPublicServer: ({ context }) => context.input.estate.publicServer !== undefined,
    wasDelivered: ({ context }) => context.lastOutcome !== null && delivered(context.lastOutcome),
    wasReleased: ({ context }) => context.release !== null,
    /** A redirect names a location of the estate that has Spooler Controllers (a probe without one is asked what it may send). */
    isKnownLocation: ({ context, event }) => redirectRefusal(context, event as OperatorEvent) === undefined,
  },
}).createMachine({
  id: 'jobDelivery',
  description: 'Deliver one print job from a FlexiSpooler Client: its location\'s Spooler Controllers in order, else the public server to the data center, else queued until one is reachable; then held until the user releases it at a printer.',
  context: ({ input }) => ({
    input,
    halt: null,
    location: null,
    tryIndex: 0,
    rounds: 0,
    attempts: [],
    unanswered: [],
    waitingBecause: null,
    heldOn: null,
    release: null,
    redirect: null,
    cancelled: null,
    unwatched: null,
    lastOutcome: null,
    lastHeldBy: null,
  }),
  initial: 'locating',
  states: {
    locating: {
      description: 'Find where the client is, and so its Spooler Controllers in order.',
      initial: 'choosingSource',
      entry: assign(({ context }) => ({ tryIndex: 0, rounds: context.rounds + 1, waitingBecause: null })),
      states: {
        choosingSource: {
          always: [
            {
              guard: 'isRedirected',
              target: '#jobDelivery.trying',
              actions: assign(({ context }) => ({ location: locationFromOperator(context.input.estate, context.redirect?.location ?? '', context.redirect?.operator) })),
            },
            { guard: 'discoversThroughDhcp', target: 'discoverSpoolerControllers' },
            { target: '#jobDelivery.trying', actions: assign(({ context }) => ({ location: locationFromMap(context.input.estate, context.input.installation.location) })) },
          ],
        },
        discoverSpoolerControllers: deliveryStep<C, EffectOutputs['discover-spooler-controllers']>({
          id: 'discoverSpoolerControllers',
          description: 'Ask the network for DHCP option 9 (Spooler Controller discovery); without it, keep the last location.',
          effect: (c) => ({ step: 'discoverSpoolerControllers', title: `${c.input.client}: DHCP option 9`, action: 'discover-spooler-controllers', host: c.input.client }),
          next: '#jobDelivery.trying',
          onFailure: '#jobDelivery.waitingForConnection',
          onDone: (c, out) => ({ location: locationFromDhcp(c.input.estate, out.option9, lastLocation(c)) }),
          failureReason: (c, reason) => `the client ${c.input.client} did not answer (${reason}): the job stays queued, tried again in ${c.input.waits.retrySeconds} s`,
        }),
      },
    },
    trying: {
      description: 'Try the location\'s Spooler Controllers in the defined order; the first reachable one takes the job.',
      initial: 'choosingController',
      states: {
        choosingController: {
          always: [
            { guard: 'hasControllerLeft', target: 'deliverToSpoolerController' },
            { guard: 'hasPublicServer', target: '#jobDelivery.deliverThroughPublicServer' },
            { target: '#jobDelivery.waitingForConnection', actions: assign(({ context }) => ({ waitingBecause: waitReason(context) })) },
          ],
        },
        deliverToSpoolerController: deliveryStep<C, EffectOutputs['deliver-to-spooler-controller']>({
          id: 'deliverToSpoolerController',
          description: 'Send the job to this Spooler Controller (its FlexiSpooler Spooling Server holds it); unreachable: the next one in order.',
          effect: (c) => ({
            step: 'deliverToSpoolerController',
            title: `${c.input.client}: send job ${c.input.job.id} to ${currentController(c)}`,
            action: 'deliver-to-spooler-controller',
            host: c.input.client,
            server: currentController(c),
            ...jobFields(c),
          }),
          next: 'answered',
          onFailure: '#jobDelivery.waitingForConnection',
          onDone: (c, out) => ({ lastOutcome: out.outcome, lastHeldBy: out.heldBy, ...withAttempt(c, { server: currentController(c), via: 'spooler-controller', outcome: out.outcome }) }),
          onFailed: (c) => withAttempt(c, { server: currentController(c), via: 'spooler-controller', outcome: 'failed' }),
          failureReason: (c, reason) => `sending to ${currentController(c)} failed on the client ${c.input.client} (${reason}): the job stays queued, tried again in ${c.input.waits.retrySeconds} s`,
        }),
        answered: {
          always: [
            {
              guard: 'wasDelivered',
              target: '#jobDelivery.heldForRelease',
              actions: assign(({ context }) => ({ heldOn: { server: context.lastHeldBy ?? currentController(context), via: 'spooler-controller' as const }, lastOutcome: null, lastHeldBy: null })),
            },
            { target: 'choosingController', actions: assign(({ context }) => ({ tryIndex: context.tryIndex + 1, lastOutcome: null })) },
          ],
        },
      },
    },
    deliverThroughPublicServer: {
      description: 'No Spooler Controller reachable: send the job through the public FlexiSpooler Server to a FlexiSpooler Server in the data center (not spooled locally).',
      initial: 'sending',
      states: {
        sending: deliveryStep<C, EffectOutputs['deliver-through-public-server']>({
          id: 'deliverThroughPublicServer',
          description: 'Send the job through the public FlexiSpooler Server to the data center.',
          effect: (c) => ({
            step: 'deliverThroughPublicServer',
            title: `${c.input.client}: send job ${c.input.job.id} through the public FlexiSpooler Server ${c.input.estate.publicServer?.host ?? ''}`,
            action: 'deliver-through-public-server',
            host: c.input.client,
            publicServer: c.input.estate.publicServer?.host ?? '',
            ...jobFields(c),
          }),
          next: '#jobDelivery.deliverThroughPublicServer.answered',
          onFailure: '#jobDelivery.waitingForConnection',
          onDone: (c, out) => {
            const publicServer = c.input.estate.publicServer?.host ?? '';
            const held = delivered(out.outcome) ? { heldOn: { server: out.dataCenterServer ?? publicServer, via: 'public-server' as const, publicServer } } : {};
            return { ...held, lastOutcome: out.outcome, ...withAttempt(c, { server: publicServer, via: 'public-server', outcome: out.outcome }) };
          },
          onFailed: (c) => withAttempt(c, { server: c.input.estate.publicServer?.host ?? '', via: 'public-server', outcome: 'failed' }),
          failureReason: (c, reason) => `sending through the public FlexiSpooler Server failed on the client ${c.input.client} (${reason}): the job stays queued, tried again in ${c.input.waits.retrySeconds} s`,
        }),
        answered: {
          always: [
            { guard: 'wasDelivered', target: '#jobDelivery.heldForRelease', actions: assign({ lastOutcome: null }) },
            { target: '#jobDelivery.waitingForConnection', actions: assign(({ context }) => ({ waitingBecause: waitReason(context), lastOutcome: null })) },
          ],
        },
      },
    },
    waitingForConnection: {
      description: 'Queued on the client and waiting for a connection: nothing reachable now (the status says why); tried again after the retry wait.',
      tags: ['waiting'],
      meta: { step: 'waitingForConnection' },
      after: { retry: { target: 'locating' } },
      on: {
        'operator.retry': { target: 'locating' },
        'operator.redirect': {
          guard: 'isKnownLocation',
          target: 'locating',
          actions: assign(({ event }) => ({ redirect: { location: (event as OperatorEvent).location ?? '', ...((event as OperatorEvent).operator ? { operator: (event as OperatorEvent).operator } : {}) } })),
        },
        'operator.cancel': {
          target: 'cancelled',
          actions: assign(({ event }) => ({ cancelled: attribution(event as OperatorEvent) })),
        },
      },
    },
    heldForRelease: {
      description: 'A server holds the job until the user authenticates at a printer, in any office; then it is printed from there.',
      initial: 'awaitJobRelease',
      states: {
        awaitJobRelease: deliveryStep<C, EffectOutputs['await-job-release']>({
          id: 'awaitJobRelease',
          description: 'Wait until the user authenticates at a printer and the job is printed from the server that holds it.',
          effect: (c) => ({
            step: 'awaitJobRelease',
            title: `job ${c.input.job.id} held on ${c.heldOn?.server ?? ''}: wait for ${c.input.user} at a printer`,
            action: 'await-job-release',
            server: c.heldOn?.server ?? '',
            ...jobFields(c),
            maxWatchMs: c.input.waits.releaseWatchSeconds * 1000,
          }),
          next: '#jobDelivery.heldForRelease.watched',
          // The job is on the server: a failed watch only means watching again.
          onFailure: '#jobDelivery.heldForRelease.watched',
          onDone: (_c, out) => (out.released ? { release: { printer: out.printer, office: out.office, printedAt: out.printedAt } } : {}),
          failureReason: () => null,
        }),
        watched: {
          always: [{ guard: 'wasReleased', target: '#jobDelivery.released' }, { target: 'awaitJobRelease' }],
        },
      },
      on: {
        // The job stays on its server: this ends only the watching, and the result says where it is held.
        'operator.abort': { target: 'unwatched', actions: assign(({ event }) => ({ unwatched: attribution(event as OperatorEvent) })) },
      },
    },
    released: {
      type: 'final',
      description: 'The user authenticated at a printer: the job was printed there.',
    },
    cancelled: {
      type: 'final',
      description: 'An operator cancelled the job while it waited: no server took it.',
    },
    unwatched: {
      type: 'final',
      description: 'An operator stopped watching the held job: its server still holds it and prints it when its user authenticates at a printer.',
    },
  },
  output: ({ context }) => ({
    client: context.input.client,
    job: context.input.job.id,
    outcome: context.cancelled ? 'cancelled' : context.unwatched ? 'unwatched' : 'printed',
    heldOn: context.heldOn,
    release: context.release,
    location: context.location?.location ?? null,
    rounds: context.rounds,
    attempts: context.attempts,
    cancelled: context.cancelled,
    ...(context.unwatched ? { unwatched: context.unwatched } : {}),
    ...(context.cancelled ? { mayBeHeldOn: unansweredServers(context) } : {}),
  }),
});

/**
 * Servers a delivery was sent to that never answered (the client's agent failed meanwhile): the
 * job may be held there. A cancelled job's result names them, since a cancel deletes nothing.
 */
export function unansweredServers(c: Pick<C, 'attempts' | 'unanswered'>): string[] {
  if (c.unanswered) return c.unanswered;
  const answered = new Set(c.attempts.filter((a) => a.outcome !== 'failed' && a.outcome !== 'unreachable').map((a) => a.server));
  return [...new Set(c.attempts.filter((a) => a.outcome === 'failed' && !answered.has(a.server)).map((a) => a.server))];
}

/**
 * Why a redirect is refused, or undefined: its location has no Spooler Controllers, which (the
 * input schema refuses a location without one) means it is no location of the estate. A probe
 * without a location is not refused.
 */
function redirectRefusal(c: C, event: OperatorEvent): string | undefined {
  const location = event.location;
  if (location === undefined || spoolerControllersOf(c.input.estate, location).length > 0) return undefined;
  return `location: "${location}" is no location of the estate; a waiting job is redirected to one of its locations: ${locationNames(c.input.estate).join(', ')}`;
}

/**
 * Why the delivery refuses an operator command of a kind it takes now, or undefined: the rule its
 * fields broke, for the operator's error (a redirect to a location without Spooler Controllers).
 */
export function jobDeliveryRefusal(c: C, command: { type: string }): string | undefined {
  return command.type === 'operator.redirect' ? redirectRefusal(c, command) : undefined;
}

/** What `status` shows of a delivery: where the job is, where it waits and why. */
export function summarizeJobDelivery(c: C): Record<string, unknown> {
  return {
    client: c.input.client,
    job: c.input.job.id,
    user: c.input.user,
    location: c.location?.location ?? null,
    locationSource: c.location?.source ?? null,
    locationWhy: c.location?.why ?? null,
    controllers: c.location?.controllers ?? [],
    waitingBecause: c.waitingBecause,
    heldOn: c.heldOn,
    release: c.release,
    redirect: c.redirect,
    rounds: c.rounds,
    recentAttempts: c.attempts.slice(-10),
  };
}
