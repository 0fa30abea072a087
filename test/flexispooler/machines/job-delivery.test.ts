/**
 * A print job's delivery without Temporal, against a model of the estate of the document's
 * picture (Prague, London with two Spooler Controllers, Bratislava with one, a public server and a
 * data center): the document's four scenarios, the London failover, the operator's redirect and
 * cancel, and that a job is held and printed exactly once on every path the tests walk.
 */
import { deliveryInput, drive, ESTATE, FlexiWorld, OPTION_9 } from '../../helpers/flexispooler-world';
import { currentStep } from '../../../machines/core/plan';
import { transition } from 'xstate';
import { directivesOf } from '../../../machines/core/machine-directives';
import { ATTEMPTS_KEPT, jobDeliveryMachine, jobDeliveryRefusal, summarizeJobDelivery, JobDeliveryContext } from '../../../machines/flexispooler/job-delivery';

const LONDON = { printer: 'printer-lon-1', office: 'london' };
const summaryOf = (snapshot: { context: unknown }) => summarizeJobDelivery(snapshot.context as JobDeliveryContext);
const targets = (effects: { action: string; server?: string; publicServer?: string }[]) =>
  effects.filter((e) => e.action.startsWith('deliver-')).map((e) => e.server ?? e.publicServer);

describe('scenario 1: the connection to a Spooler Controller is lost in the user\'s location', () => {
  test('London: a client that lost spoc-lon-1 reconnects to spoc-lon-2, which takes the job', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-2'] });
    world.userAt = LONDON;
    const { snapshot, effects } = drive(deliveryInput({ installation: { location: 'london', discovery: 'dhcp-option-9' } }), world);
    expect(targets(effects)).toEqual(['spoc-lon-1', 'spoc-lon-2']);
    expect(snapshot.output).toMatchObject({ outcome: 'printed', heldOn: { server: 'spoc-lon-2', via: 'spooler-controller' }, release: { printer: 'printer-lon-1' } });
    expect(world.printed).toEqual([{ job: 'job-1', server: 'spoc-lon-2', printer: 'printer-lon-1' }]);
  });

  test('London: the Spooler Controllers are tried in the defined order, so with both up spoc-lon-1 takes the job', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1', 'spoc-lon-2'] });
    world.userAt = LONDON;
    const { effects } = drive(deliveryInput({ installation: { location: 'london', discovery: 'locations-map' } }), world);
    expect(targets(effects)).toEqual(['spoc-lon-1']);
    expect(world.holders.get('job-1')).toBe('spoc-lon-1');
  });

  test('Bratislava: with its only Spooler Controller down the job waits (no failover), and goes out when the controller is back', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.bratislava, reach: [] });
    world.userAt = { printer: 'printer-bts-1', office: 'bratislava' };
    const input = deliveryInput({ installation: { location: 'bratislava', discovery: 'dhcp-option-9' }, estate: { ...deliveryInput().estate, publicServer: undefined } });
    const { snapshot, waits } = drive(input, world, (n) => {
      if (n === 2) world.at({ option9: OPTION_9.bratislava, reach: ['spoc-bts-1'] });
      return true;
    });
    expect(currentStep(waits[0] as never)).toBe('waitingForConnection');
    expect(summaryOf(waits[0] as never).waitingBecause).toBe(
      'no Spooler Controller of bratislava reachable (spoc-bts-1, tried in this order); no public FlexiSpooler Server configured: the job stays queued on laptop-ann, tried again in 30 s',
    );
    expect(waits).toHaveLength(2);
    expect(snapshot.output).toMatchObject({ outcome: 'printed', heldOn: { server: 'spoc-bts-1' } });
  });
});

describe('scenario 2: the user moved and DHCP option 9 did not come', () => {
  test('Prague to Bratislava without option 9: the client keeps Prague, cannot reach it, and the job waits saying why', () => {
    const world = new FlexiWorld().at({ option9: null, reach: ['spoc-bts-1'] });
    const { snapshot, effects } = drive(deliveryInput({ lastLocation: 'prague' }), world);
    expect(targets(effects)).toEqual(['spoc-prg-1', 'flexi-public']);
    expect(currentStep(snapshot)).toBe('waitingForConnection');
    expect(summaryOf(snapshot)).toMatchObject({ location: 'prague', locationSource: 'kept-last' });
    expect(summaryOf(snapshot).waitingBecause).toContain('DHCP option 9 did not come: the client kept its last location, prague');
    expect(world.holders.size).toBe(0);
  });

  test('when option 9 comes again the client finds Bratislava and the job goes to spoc-bts-1', () => {
    const world = new FlexiWorld().at({ option9: null, reach: ['spoc-bts-1'] });
    world.userAt = { printer: 'printer-bts-1', office: 'bratislava' };
    const { snapshot } = drive(deliveryInput(), world, () => (world.at({ option9: OPTION_9.bratislava, reach: ['spoc-bts-1'] }), true));
    expect(snapshot.output).toMatchObject({ outcome: 'printed', location: 'bratislava', heldOn: { server: 'spoc-bts-1' } });
  });

  test('the last location kept is the one option 9 named last within the delivery, not the installation\'s', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: [] });
    const { waits } = drive(deliveryInput(), world, (n) => {
      if (n === 1) world.at({ option9: null, reach: [] });
      return n < 2;
    });
    expect(summaryOf(waits[1] as never)).toMatchObject({ location: 'london', locationSource: 'kept-last', controllers: ['spoc-lon-1', 'spoc-lon-2'] });
  });
});

describe('scenario 3: the user moved, no discovery, the locations map set at installation', () => {
  test('a client installed for Prague tries Prague from Bratislava, whatever the network says, and the job waits', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.bratislava, reach: ['spoc-bts-1'] });
    const { snapshot, effects } = drive(deliveryInput({ installation: { location: 'prague', discovery: 'locations-map' } }), world);
    expect(effects.some((e) => e.action === 'discover-spooler-controllers')).toBe(false);
    expect(targets(effects)).toEqual(['spoc-prg-1', 'flexi-public']);
    expect(summaryOf(snapshot)).toMatchObject({ location: 'prague', locationSource: 'locations-map' });
    expect(summaryOf(snapshot).waitingBecause).toContain('the locations map set at installation names prague');
  });
});

describe('scenario 4: on the way to the airport, a public FlexiSpooler Server configured', () => {
  test('no internet in the taxi: queued; at the airport through the public server to the data center; printed in London', () => {
    const world = new FlexiWorld().at({ option9: null, reach: [] });
    const { snapshot, effects, waits } = drive(deliveryInput(), world, (n) => {
      if (n === 1) world.at({ option9: null, reach: [], internet: true }); // the airport's wifi
      return true;
    });
    expect(summaryOf(waits[0] as never).waitingBecause).toContain('the public FlexiSpooler Server flexi-public not reachable either (no internet connection?)');
    expect(targets(effects)).toEqual(['spoc-prg-1', 'flexi-public', 'spoc-prg-1', 'flexi-public']);
    const held = world.holders.get('job-1');
    expect(held).toMatch(/^flexi-dc-/);
    expect(world.deliveries.some((d) => d.server.startsWith('spoc-') && d.outcome !== 'unreachable')).toBe(false); // not spooled locally
    expect(snapshot.status).toBe('active'); // held in the data center until the user authenticates
    expect(summaryOf(snapshot).heldOn).toEqual({ server: held, via: 'public-server', publicServer: 'flexi-public' });
  });

  test('the user authenticates at a London printer: the job is transferred from the data center and printed once', () => {
    const world = new FlexiWorld().at({ option9: null, reach: [], internet: true });
    world.userAt = LONDON;
    const { snapshot } = drive(deliveryInput(), world);
    expect(snapshot.output).toMatchObject({ outcome: 'printed', heldOn: { via: 'public-server' }, release: { printer: 'printer-lon-1', office: 'london' } });
    expect(world.printed).toHaveLength(1);
  });
});

describe('exactly once', () => {
  test('a delivery repeated after its answer was lost finds the job already held and does not hold it twice', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1'] });
    world.deliver('spoc-lon-1', 'job-1'); // the first attempt took effect; its answer never came back
    world.userAt = LONDON;
    const { snapshot } = drive(deliveryInput(), world);
    expect(snapshot.output).toMatchObject({ outcome: 'printed', heldOn: { server: 'spoc-lon-1' } });
    expect(world.deliveries.map((d) => d.outcome)).toEqual(['accepted', 'already-held']);
    expect(world.printed).toHaveLength(1);
  });

  test('another server is tried only after an unreachable answer: a failed attempt waits and retries from the first in order', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1', 'spoc-lon-2'] });
    world.clientAsleep = true;
    world.userAt = LONDON;
    const { snapshot, waits, effects } = drive(deliveryInput(), world, () => ((world.clientAsleep = false), true));
    expect(summaryOf(waits[0] as never).waitingBecause).toMatch(/^the client laptop-ann did not answer/);
    expect(targets(effects)).toEqual(['spoc-lon-1']);
    expect(snapshot.output).toMatchObject({ heldOn: { server: 'spoc-lon-1' } });
  });
});

describe('the operator', () => {
  test('redirects a waiting job to another location\'s Spooler Controllers', () => {
    const world = new FlexiWorld().at({ option9: null, reach: ['spoc-bts-1'] });
    world.userAt = { printer: 'printer-bts-1', office: 'bratislava' };
    const { snapshot } = drive(deliveryInput(), world, (n) => (n === 1 ? [{ type: 'operator.redirect', location: 'bratislava', operator: 'eva' }] : true));
    expect(snapshot.output).toMatchObject({ outcome: 'printed', location: 'bratislava', heldOn: { server: 'spoc-bts-1' } });
    expect(summaryOf(snapshot)).toMatchObject({ locationSource: 'operator', locationWhy: 'redirected to bratislava by eva' });
  });

  test('cannot redirect to a location that is not in the estate', () => {
    const world = new FlexiWorld().at({ option9: null, reach: [] });
    const { snapshot } = drive(deliveryInput(), world);
    expect(snapshot.can({ type: 'operator.redirect', location: 'paris' })).toBe(false);
    expect(snapshot.can({ type: 'operator.redirect', location: 'london' })).toBe(true);
  });

  test('a refused redirect says which location and why, and where a job may go', () => {
    const world = new FlexiWorld().at({ option9: null, reach: [] });
    const { snapshot } = drive(deliveryInput(), world);
    const context = snapshot.context as JobDeliveryContext;
    expect(jobDeliveryRefusal(context, { type: 'operator.redirect', location: 'paris' } as never)).toBe(
      'location: "paris" is no location of the estate; a waiting job is redirected to one of its locations: prague, london, bratislava',
    );
    expect(jobDeliveryRefusal(context, { type: 'operator.redirect', location: 'london' } as never)).toBeUndefined();
    expect(jobDeliveryRefusal(context, { type: 'operator.cancel' })).toBeUndefined();
  });

  test('cancels a waiting job: it ends cancelled and no server holds it', () => {
    const world = new FlexiWorld().at({ option9: null, reach: [] });
    const { snapshot } = drive(deliveryInput(), world, () => [{ type: 'operator.cancel', operator: 'eva', reason: 'the user printed it again at the office' }]);
    expect(snapshot.output).toMatchObject({ outcome: 'cancelled', cancelled: { operator: 'eva' }, heldOn: null });
    expect(world.holders.size).toBe(0);
  });

  test('an operator may stop watching a held job: the delivery ends unwatched, naming the server that still holds it', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1'] });
    // The job is taken; its user never comes, and each watch ends unreleased.
    const { snapshot: held, effects } = drive(deliveryInput(), world, () => true, 20);
    expect(currentStep(held)).toBe('awaitJobRelease');
    expect(effects.filter((e) => e.action === 'await-job-release').length).toBeGreaterThan(3);
    const [snapshot, actions] = transition(jobDeliveryMachine, held, { type: 'operator.abort', operator: 'eva', reason: 'ann left the company' });
    expect(directivesOf(actions)).toEqual([]);
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toMatchObject({ outcome: 'unwatched', heldOn: { server: 'spoc-lon-1', via: 'spooler-controller' }, release: null, unwatched: { operator: 'eva', reason: 'ann left the company' } });
    expect(world.holders.get('job-1')).toBe('spoc-lon-1');
    expect(world.printed).toEqual([]);
  });

  test('a job not yet held cannot be unwatched: abort is taken only once a server holds it', () => {
    const world = new FlexiWorld().at({ option9: null, reach: [] });
    const { snapshot } = drive(deliveryInput(), world);
    expect(currentStep(snapshot)).toBe('waitingForConnection');
    expect(snapshot.can({ type: 'operator.abort' })).toBe(false);
  });

  test('cannot cancel or redirect while a delivery is in flight', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1'] });
    const { snapshot } = drive(deliveryInput(), world, () => false, 1); // discovery answered, the delivery in flight
    expect(currentStep(snapshot)).toBe('deliverToSpoolerController');
    expect(snapshot.can({ type: 'operator.cancel' })).toBe(false);
    expect(snapshot.can({ type: 'operator.redirect', location: 'london' })).toBe(false);
  });
});

describe('an answer lost after the server took the job', () => {
  test('the next round finds it already held elsewhere and reports the server that holds it', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1', 'spoc-lon-2'] });
    world.loseAnswers = true;
    world.userAt = LONDON;
    const { snapshot } = drive(deliveryInput(), world, () => {
      world.loseAnswers = false;
      world.at({ option9: OPTION_9.london, reach: ['spoc-lon-2'] }); // sc-lon-1 went down with the job on it
      return true;
    });
    expect(world.holders.get('job-1')).toBe('spoc-lon-1');
    expect(snapshot.output).toMatchObject({ outcome: 'printed', heldOn: { server: 'spoc-lon-1' } });
    expect(world.printed).toHaveLength(1);
  });

  test('a cancel after a long wait still names the server that may hold the job, however many attempts came since', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1'] });
    world.loseAnswers = true;
    const input = deliveryInput({ installation: { location: 'london', discovery: 'dhcp-option-9' }, estate: { ...ESTATE, publicServer: undefined } });
    const { snapshot } = drive(
      input,
      world,
      (round) => {
        // The answer of the first delivery is lost (the job is on spoc-lon-1), then London goes dark for longer than the attempts kept.
        if (round === 1) {
          world.loseAnswers = false;
          world.at({ option9: OPTION_9.london, reach: [] });
        }
        return round > ATTEMPTS_KEPT ? [{ type: 'operator.cancel', operator: 'op' }] : true;
      },
      5000,
    );
    expect(world.holders.get('job-1')).toBe('spoc-lon-1');
    expect(snapshot.output).toMatchObject({ outcome: 'cancelled', mayBeHeldOn: ['spoc-lon-1'] });
    expect((snapshot.output as { attempts: unknown[] }).attempts).toHaveLength(ATTEMPTS_KEPT);
  });

  test('a cancel afterwards names the server that may hold the job, since a cancel deletes nothing', () => {
    const world = new FlexiWorld().at({ option9: OPTION_9.london, reach: ['spoc-lon-1'] });
    world.loseAnswers = true;
    const { snapshot } = drive(deliveryInput(), world, () => [{ type: 'operator.cancel' }]);
    expect(snapshot.output).toMatchObject({ outcome: 'cancelled', mayBeHeldOn: ['spoc-lon-1'] });
  });
});
