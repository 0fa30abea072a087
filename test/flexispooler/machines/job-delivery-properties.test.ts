/**
 * The job delivery machine on generated worlds (fast-check): rounds in which option 9 comes or
 * not, any servers are reachable, the internet is there or not, the client's agent sleeps or dies
 * after a server took the job, and an operator redirects, cancels or retries; after the script the
 * network is whole again. On every run: Spooler Controllers are tried in their order, the public
 * server only after all of them were unreachable, nothing is sent after a server took the job, and
 * the job ends printed exactly once from the server that holds it, or cancelled with every server
 * that may hold it named.
 */
import fc from 'fast-check';
import type { Effect } from '../../../machines/core/effects';
import { deliveryInput, drive, ESTATE, FlexiWorld, OPTION_9 } from '../../helpers/flexispooler-world';

const LOCATIONS = ['prague', 'london', 'bratislava'] as const;
const SERVERS = ['spoc-prg-1', 'spoc-lon-1', 'spoc-lon-2', 'spoc-bts-1'];

const roundArb = fc.record({
  option9: fc.constantFrom(null, ...LOCATIONS),
  reach: fc.subarray(SERVERS),
  internet: fc.boolean(),
  asleep: fc.boolean(),
  loseAnswers: fc.boolean(),
  operator: fc.constantFrom('none', 'none', 'retry', 'cancel', ...LOCATIONS.map((l) => `redirect:${l}`)),
});

const caseArb = fc.record({
  discovery: fc.constantFrom('dhcp-option-9', 'locations-map'),
  installed: fc.constantFrom(...LOCATIONS),
  publicServer: fc.boolean(),
  rounds: fc.array(roundArb, { maxLength: 6 }),
});

const targetOf = (e: Effect) => ('server' in e ? e.server : 'publicServer' in e ? e.publicServer : undefined);

test('on every generated world the delivery keeps its order and ends exactly once', () => {
  fc.assert(
    fc.property(caseArb, ({ discovery, installed, publicServer, rounds }) => {
      const input = deliveryInput({ installation: { location: installed, discovery }, estate: publicServer ? ESTATE : { locations: ESTATE.locations } });
      const world = new FlexiWorld();
      world.userAt = { printer: 'printer-lon-1', office: 'london' };
      const answered: { effect: Effect; outcome: string }[] = [];
      const answer = world.answer.bind(world);
      world.answer = (effect) => {
        const event = answer(effect);
        answered.push({ effect, outcome: event.type.startsWith('effect.failed') ? 'failed' : String((event.output as { outcome?: string } | undefined)?.outcome) });
        return event;
      };
      /** The world of round n (from 1); after the script the network is whole again. */
      const apply = (n: number) => {
        const round = rounds[n - 1];
        world.clientAsleep = round?.asleep ?? false;
        world.loseAnswers = round?.loseAnswers ?? false;
        world.at(round ? { option9: round.option9 ? OPTION_9[round.option9] : null, reach: round.reach, internet: round.internet } : { option9: OPTION_9[installed], reach: SERVERS, internet: true });
        return round;
      };
      apply(1);
      const roundStarts = [0];
      const { snapshot } = drive(
        input,
        world,
        (n) => {
          roundStarts.push(answered.length);
          const round = apply(n + 1);
          if (!round || round.operator === 'none') return true;
          if (round.operator === 'cancel') return [{ type: 'operator.cancel' }];
          if (round.operator === 'retry') return [{ type: 'operator.retry' }];
          return [{ type: 'operator.redirect', location: round.operator.slice('redirect:'.length) }];
        },
        5000,
      );
      expect(snapshot.status).toBe('done');

      // Nothing is sent once a server answered that it holds the job.
      const taken = answered.findIndex((a) => a.outcome === 'accepted' || a.outcome === 'already-held');
      if (taken >= 0) expect(answered.slice(taken + 1).filter((a) => a.effect.action.startsWith('deliver-'))).toEqual([]);

      // Within a round: the Spooler Controllers in their order from the first, the public server
      // only after every one of them was unreachable.
      roundStarts.forEach((start, i) => {
        const round = answered.slice(start, roundStarts[i + 1] ?? answered.length).filter((a) => a.effect.action.startsWith('deliver-'));
        const targets = round.map((a) => targetOf(a.effect));
        const controllers = round.filter((a) => a.effect.action === 'deliver-to-spooler-controller');
        const location = ESTATE.locations.find((l) => l.servers.some((x) => x.host === targets[0]));
        if (location) expect(controllers.map((a) => targetOf(a.effect))).toEqual(location.servers.map((x) => x.host).slice(0, controllers.length));
        const publicAt = targets.indexOf('flexi-public');
        if (publicAt >= 0) {
          expect(publicAt).toBe(targets.length - 1);
          expect(controllers.every((a) => a.outcome === 'unreachable')).toBe(true);
          expect(controllers.length).toBe(location?.servers.length ?? 0);
        }
      });

      const output = snapshot.output as { outcome: string; heldOn: { server: string } | null; mayBeHeldOn?: string[] };
      const held = world.holders.get('job-1');
      if (output.outcome === 'printed') {
        expect(output.heldOn?.server).toBe(held);
        expect(world.printed).toHaveLength(1);
      } else {
        expect(output.outcome).toBe('cancelled');
        if (held !== undefined) expect(output.mayBeHeldOn).toContain(held.startsWith('flexi-dc') ? 'flexi-public' : held);
        expect(world.printed).toHaveLength(0);
      }
    }),
    { numRuns: Number(process.env.FC_NUM_RUNS ?? 300) },
  );
});
