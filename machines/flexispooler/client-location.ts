/**
 * Where a FlexiSpooler Client is, and so which Spooler Controllers it tries, in which order
 * (docs/flexispooler-failover.md#location):
 *
 * - discovery through DHCP option 9: the controllers the option names, in its order; the location
 *   is the estate's location that has them. When the option does not come (the document's
 *   scenario 2) the client keeps the location it knew last, and says so.
 * - the locations map set at installation: the installation's location, whatever network the
 *   client is on (the document's scenario 3: a client installed in Prague keeps trying Prague).
 * - an operator's redirect: the location the operator named.
 */
import { locationOfControllers, spoolerControllersOf } from './estate-locations';
import type { FlexiSpoolerEstate } from './flexispooler-estate';

export type LocationSource = 'dhcp-option-9' | 'kept-last' | 'locations-map' | 'operator';

export interface ClientLocation {
  location: string;
  /** The Spooler Controllers to try, first to last. */
  controllers: string[];
  source: LocationSource;
  /** Why this location, in the operator's words. */
  why: string;
}

/** The location from a DHCP answer: option 9's controllers, or the last location kept. */
export function locationFromDhcp(estate: FlexiSpoolerEstate, option9: readonly string[] | null, last: string): ClientLocation {
  if (option9 && option9.length > 0) {
    const location = locationOfControllers(estate, option9) ?? `unmapped (${option9.join(', ')})`;
    return { location, controllers: [...option9], source: 'dhcp-option-9', why: `DHCP option 9 named ${option9.join(', ')}` };
  }
  return {
    location: last,
    controllers: spoolerControllersOf(estate, last),
    source: 'kept-last',
    why: `DHCP option 9 did not come: the client kept its last location, ${last}`,
  };
}

/** The location from the locations map set at installation. */
export function locationFromMap(estate: FlexiSpoolerEstate, installed: string): ClientLocation {
  return {
    location: installed,
    controllers: spoolerControllersOf(estate, installed),
    source: 'locations-map',
    why: `the locations map set at installation names ${installed}`,
  };
}

/** The location an operator redirected the job to. */
export function locationFromOperator(estate: FlexiSpoolerEstate, location: string, operator: string | undefined): ClientLocation {
  return {
    location,
    controllers: spoolerControllersOf(estate, location),
    source: 'operator',
    why: `redirected to ${location}${operator ? ` by ${operator}` : ''}`,
  };
}
