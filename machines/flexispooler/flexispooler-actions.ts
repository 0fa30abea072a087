/**
 * The FlexiSpooler actions. A job is sent from where the client's computer is, so discovery and
 * delivery run on the client's own agent (its host queue); the release is watched centrally, on
 * the server that holds the job. Every delivery carries the job id the servers dedupe on: a job
 * delivered twice (a retry after a lost answer, a worker killed mid-delivery) is held once and
 * printed once. machines/actions.ts adds these entries to the registry every layer reads.
 */
import { z } from 'zod';
import { actionsOf, defineAction, onHost, type ActionLimits } from '../core/action-registry';

/** What a server answered a delivery: it took the job now, it had it already, or it could not be reached. */
export const deliveryOutcomeSchema = z.enum(['accepted', 'already-held', 'unreachable']);
export type DeliveryOutcome = z.infer<typeof deliveryOutcomeSchema>;

const jobFields = { jobId: z.string(), user: z.string(), document: z.string() };

/**
 * A delivery attempt is quick: a server that cannot be reached answers `unreachable` (the activity
 * does not fail). The client's agent heartbeats while it waits for a server's answer, so an agent
 * that died mid-delivery is noticed within seconds and the attempt runs again, with the same job
 * id. A failure after the retries is the client's agent not answering; the job then waits and is
 * tried again.
 */
const DELIVERY_STEP: ActionLimits = { attempt: '30s', heartbeat: '5s', retry: { initialInterval: '1s', maximumAttempts: 3 } };

export const FLEXISPOOLER_ACTIONS = actionsOf(
  defineAction('discover-spooler-controllers', {
    place: 'host',
    fields: { ...onHost },
    answer: z.object({ option9: z.array(z.string()).nullable() }),
  }).with({
    limits: () => DELIVERY_STEP,
    target: () => 'DHCP option 9',
    // The option comes on the client's usual network: nominally it names the location it knew.
    nominal: () => ({ option9: null }),
  }),
  defineAction('deliver-to-spooler-controller', {
    place: 'host',
    fields: { ...onHost, server: z.string(), ...jobFields },
    // `heldBy`: the server that holds the job; another one than asked when an earlier delivery,
    // whose answer was lost, left it there.
    answer: z.object({ outcome: deliveryOutcomeSchema, heldBy: z.string().nullable() }),
  }).with({
    limits: () => DELIVERY_STEP,
    target: (e) => e.server,
    nominal: (e) => ({ outcome: 'accepted', heldBy: e.server }),
  }),
  defineAction('deliver-through-public-server', {
    place: 'host',
    fields: { ...onHost, publicServer: z.string(), ...jobFields },
    answer: z.object({ outcome: deliveryOutcomeSchema, dataCenterServer: z.string().nullable() }),
  }).with({
    limits: () => DELIVERY_STEP,
    target: (e) => e.publicServer,
    nominal: () => ({ outcome: 'accepted', dataCenterServer: 'data-center' }),
  }),
  defineAction('await-job-release', {
    place: 'central',
    fields: { server: z.string(), ...jobFields, maxWatchMs: z.number() },
    answer: z.object({ released: z.boolean(), printer: z.string().nullable(), office: z.string().nullable(), printedAt: z.string().nullable() }),
  }).with({
    limits: (e) => ({ attempt: `${Math.ceil(e.maxWatchMs / 1000) + 60}s`, heartbeat: '10s', retry: { maximumInterval: '5s', maximumAttempts: 20 } }),
    target: (e) => e.server,
    nominal: (_e, now) => ({ released: true, printer: 'printer', office: 'office', printedAt: now }),
    watch: true,
  }),
);

export type FlexiSpoolerActionWord = keyof typeof FLEXISPOOLER_ACTIONS;
