/**
 * The FlexiSpooler rules that are not a delivery: the configuration check (a Spooling Server needs
 * its Spooler Controller on the same machine) and the order of a release of several jobs.
 */
import { flexiSpoolerEstateSchema } from '../../../machines/flexispooler/flexispooler-estate';
import { InvalidInputError, parseInput } from '../../../machines/core/input-errors';
import { planRelease } from '../../../machines/flexispooler/release-order';
import { jobDeliveryInputSchema } from '../../../machines/flexispooler/job-delivery-input';
import { deliveryInput, ESTATE } from '../../helpers/flexispooler-world';

const refusal = (estate: unknown): string => {
  try {
    parseInput(flexiSpoolerEstateSchema, 'flexispooler estate', estate);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.message;
  }
  throw new Error('the estate was accepted');
};

describe('configuration check', () => {
  test('the estate of the document is accepted', () => {
    expect(flexiSpoolerEstateSchema.parse(ESTATE).locations[1]?.servers.map((s) => s.host)).toEqual(['spoc-lon-1', 'spoc-lon-2']);
  });

  test('a FlexiSpooler Spooling Server without a Spooler Controller on the same machine is refused, naming the server', () => {
    const estate = { locations: [{ name: 'london', servers: [{ host: 'spoc-lon-1', runs: ['spooler-controller'] }, { host: 'flexi-lon-3', runs: ['flexispooler-spooling-server'] }] }] };
    expect(refusal(estate)).toBe(
      'invalid input for flexispooler estate: locations.0.servers.1.runs: flexi-lon-3 runs a FlexiSpooler Spooling Server without a Spooler Controller: the Spooling Server expects its Spooler Controller on the same machine (add spooler-controller to flexi-lon-3, or move the Spooling Server to a Spooler Controller)',
    );
  });

  test('a location without any Spooler Controller is refused', () => {
    expect(refusal({ locations: [{ name: 'paris', servers: [{ host: 'fs-par-1', runs: ['flexispooler-spooling-server'] }] }] })).toContain('location paris has no Spooler Controller');
  });

  test('a server listed in two locations is refused', () => {
    const server = { host: 'spoc-x', runs: ['spooler-controller'] };
    expect(refusal({ locations: [{ name: 'a', servers: [server] }, { name: 'b', servers: [server] }] })).toContain('spoc-x is listed twice (also in a)');
  });

  test('a delivery whose client was installed for a location the estate does not have is refused', () => {
    const input = { ...deliveryInput(), installation: { location: 'paris', discovery: 'locations-map' } };
    expect(() => parseInput(jobDeliveryInputSchema, 'deliver-print-job', input)).toThrow('installation.location: "paris" is not a location of the estate (prague, london, bratislava)');
  });
});

describe('release order', () => {
  const job = (jobId: string, server: string, minute: number) => ({ jobId, server, printedByUserAt: `2026-12-05T09:${String(minute).padStart(2, '0')}:00.000Z` });

  test('jobs held on one server are printed in the order the user printed them', () => {
    const plan = planRelease([job('c', 'spoc-lon-1', 3), job('a', 'spoc-lon-1', 1), job('b', 'spoc-lon-1', 2)]);
    expect(plan).toEqual({ byServer: [{ server: 'spoc-lon-1', jobs: ['a', 'b', 'c'] }], orderKept: true, note: '3 jobs held on spoc-lon-1: printed in the order they were printed' });
  });

  test('jobs held on several site servers: the release says their order is not kept', () => {
    const plan = planRelease([job('a', 'spoc-lon-1', 1), job('b', 'spoc-lon-2', 2), job('c', 'spoc-lon-1', 3)]);
    expect(plan.orderKept).toBe(false);
    expect(plan.byServer).toEqual([
      { server: 'spoc-lon-1', jobs: ['a', 'c'] },
      { server: 'spoc-lon-2', jobs: ['b'] },
    ]);
    expect(plan.note).toBe('3 jobs held on 2 site servers (spoc-lon-1, spoc-lon-2): the order of printed jobs is not guaranteed across servers (each server\'s own jobs keep their order)');
  });
});
