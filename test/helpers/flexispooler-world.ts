/**
 * The FlexiSpooler estate of the document's picture, and a model of it for driving the job
 * delivery machine without Temporal: what the client's computer reaches now (which servers, DHCP
 * option 9, the internet), which servers hold which jobs (deduped on the job id, as the servers
 * do) and what was printed. The driver answers each effect from the model, as the workflow
 * runtime would from the activities, and fires the retry timer when nothing else is in flight.
 */
import { AnyMachineSnapshot, initialTransition, transition } from 'xstate';
import type { Effect, EffectOf, FlexiSpoolerActionWord } from '../../machines/actions';
import { directivesOf, MachineEvent } from '../../machines/core/machine-directives';
import { jobDeliveryInputSchema, JobDeliveryInput } from '../../machines/flexispooler/job-delivery-input';
import { jobDeliveryMachine as machine } from '../../machines/flexispooler/job-delivery';

/** The job delivery machine emits only FlexiSpooler effects. */
type FlexiEffect = { [A in FlexiSpoolerActionWord]: EffectOf<A> }[FlexiSpoolerActionWord];

export const ESTATE = {
  locations: [
    { name: 'prague', servers: [{ host: 'spoc-prg-1', runs: ['spooler-controller', 'flexispooler-spooling-server'] }], printers: ['printer-prg-1'] },
    {
      name: 'london',
      servers: [
        { host: 'spoc-lon-1', runs: ['spooler-controller', 'flexispooler-spooling-server'] },
        { host: 'spoc-lon-2', runs: ['spooler-controller', 'flexispooler-spooling-server'] },
      ],
      printers: ['printer-lon-1'],
    },
    { name: 'bratislava', servers: [{ host: 'spoc-bts-1', runs: ['spooler-controller', 'flexispooler-spooling-server'] }], printers: ['printer-bts-1'] },
  ],
  publicServer: { host: 'flexi-public', dataCenter: ['flexi-dc-1', 'flexi-dc-2'] },
};

export const OPTION_9 = { prague: ['spoc-prg-1'], london: ['spoc-lon-1', 'spoc-lon-2'], bratislava: ['spoc-bts-1'] };

/** A job's delivery input on this estate; `overrides` replaces top-level fields. */
export function deliveryInput(overrides: Record<string, unknown> = {}): JobDeliveryInput {
  return jobDeliveryInputSchema.parse({
    client: 'laptop-ann',
    user: 'ann',
    job: { id: 'job-1', document: 'quarterly report.pdf' },
    installation: { location: 'prague', discovery: 'dhcp-option-9' },
    estate: ESTATE,
    waits: { retrySeconds: 30, releaseWatchSeconds: 60 },
    ...overrides,
  });
}

/** What the client's computer reaches now, and what the servers hold. */
export class FlexiWorld {
  option9: string[] | null = null;
  reachable = new Set<string>();
  /** The client's agent does not answer (laptop asleep): its effects fail. */
  clientAsleep = false;
  /** A server takes the job, but the answer never reaches the workflow (the agent died after sending). */
  loseAnswers = false;
  /** Which server holds each job id: a server dedupes on it. */
  readonly holders = new Map<string, string>();
  /** Every delivery the servers saw, accepted or repeated. */
  readonly deliveries: { server: string; job: string; outcome: string }[] = [];
  /** Where the user authenticated, when they did. */
  userAt: { printer: string; office: string } | null = null;
  readonly printed: { job: string; server: string; printer: string }[] = [];

  /** The client is on this network: these servers (and, with internet, the public server) reachable, option 9 as given. */
  at(network: { option9?: string[] | null; reach?: string[]; internet?: boolean }): this {
    this.option9 = network.option9 ?? null;
    this.reachable = new Set([...(network.reach ?? []), ...(network.internet ? ['flexi-public'] : [])]);
    return this;
  }

  deliver(server: string, job: string, holder = server): string {
    if (!this.reachable.has(server)) return this.note(server, job, 'unreachable');
    const held = this.holders.get(job);
    if (held !== undefined) return this.note(server, job, 'already-held');
    this.holders.set(job, holder);
    return this.note(server, job, 'accepted');
  }

  private note(server: string, job: string, outcome: string): string {
    this.deliveries.push({ server, job, outcome });
    return outcome;
  }

  /** Answers one effect as the activities would. */
  answer(anyEffect: Effect): MachineEvent {
    const effect = anyEffect as FlexiEffect;
    const done = (output: unknown) => ({ type: `effect.done.${effect.step}`, output });
    if ('host' in effect && this.clientAsleep) return { type: `effect.failed.${effect.step}`, reason: 'the client\'s agent did not pick the step up' };
    switch (effect.action) {
      case 'discover-spooler-controllers':
        return done({ option9: this.option9 });
      case 'deliver-to-spooler-controller': {
        const outcome = this.deliver(effect.server, effect.jobId);
        if (this.loseAnswers && outcome === 'accepted') return { type: `effect.failed.${effect.step}`, reason: 'the client\'s agent died before the answer came' };
        return done({ outcome, heldBy: outcome === 'unreachable' ? null : this.holders.get(effect.jobId) ?? null });
      }
      case 'deliver-through-public-server': {
        const dc = `flexi-dc-${(this.deliveries.length % 2) + 1}`;
        const outcome = this.deliver(effect.publicServer, effect.jobId, dc);
        return done({ outcome, dataCenterServer: outcome === 'unreachable' ? null : this.holders.get(effect.jobId) ?? null });
      }
      case 'await-job-release': {
        if (!this.userAt || this.holders.get(effect.jobId) !== effect.server) return done({ released: false, printer: null, office: null, printedAt: null });
        if (!this.printed.some((p) => p.job === effect.jobId)) this.printed.push({ job: effect.jobId, server: effect.server, printer: this.userAt.printer });
        return done({ released: true, printer: this.userAt.printer, office: this.userAt.office, printedAt: '2026-12-05T12:00:00.000Z' });
      }
    }
  }
}

export interface DriveResult {
  snapshot: AnyMachineSnapshot;
  effects: Effect[];
  /** The snapshots at which the job waited for a connection (before each retry timer fired). */
  waits: AnyMachineSnapshot[];
}

/**
 * Runs the machine against the world. Whenever the job waits (only the retry timer pending),
 * `whileWaiting(n, snapshot)` may change the world (the user moves, an outage ends) or send
 * operator events; returning `false` stops the run there.
 */
export function drive(input: JobDeliveryInput, world: FlexiWorld, whileWaiting: (n: number, snapshot: AnyMachineSnapshot) => boolean | MachineEvent[] = () => false, maxSteps = 500): DriveResult {
  let [snapshot, actions] = initialTransition(machine, input);
  const effects: Effect[] = [];
  const queue: Effect[] = [];
  const timers = new Map<string, MachineEvent>();
  const waits: AnyMachineSnapshot[] = [];
  const take = (acts: typeof actions) => {
    for (const d of directivesOf(acts)) {
      if (d.kind === 'effect') {
        queue.push(d.effect);
        effects.push(d.effect);
      }
      else if (d.kind === 'schedule') timers.set(d.id, d.event);
      else timers.delete(d.id);
    }
  };
  const send = (event: MachineEvent) => {
    [snapshot, actions] = transition(machine, snapshot, event as never);
    take(actions);
  };
  take(actions);
  for (let step = 0; step < maxSteps && snapshot.status === 'active'; step += 1) {
    const effect = queue.shift();
    if (effect) {
      send(world.answer(effect));
      continue;
    }
    const [id, event] = [...timers.entries()][0] ?? [];
    if (!id || !event) throw new Error(`stuck at ${JSON.stringify(snapshot.value)}: no effect and no timer`);
    waits.push(snapshot);
    const decided = whileWaiting(waits.length, snapshot);
    if (decided === false) break;
    if (Array.isArray(decided) && decided.length > 0) {
      for (const e of decided) send(e);
      continue;
    }
    timers.delete(id);
    send(event);
  }
  return { snapshot, effects, waits };
}
