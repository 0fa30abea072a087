/**
 * Where things are in a FlexiSpooler estate: a location by its name, the Spooler Controllers a
 * location's clients fail over through, the location a DHCP answer's controllers belong to. Pure
 * and free of zod (the estate is validated before it gets here, flexispooler-estate.ts), so the
 * job-delivery machine can be shared by every workflow of a worker (worker/shared-machines.ts).
 */
import type { FlexiSpoolerEstate, Location } from './flexispooler-estate';

/** The Spooler Controllers of a location, in the order a client fails over through them. */
export function spoolerControllersOf(estate: FlexiSpoolerEstate, location: string): string[] {
  return (locationNamed(estate, location)?.servers ?? []).filter((s) => s.runs.includes('spooler-controller')).map((s) => s.host);
}

/** The location whose Spooler Controllers these are (DHCP option 9 names servers, not locations). */
export function locationOfControllers(estate: FlexiSpoolerEstate, controllers: readonly string[]): string | undefined {
  return locationNames(estate).find((location) => {
    const own = spoolerControllersOf(estate, location);
    return controllers.some((c) => own.includes(c));
  });
}

/** The estate's location of this name. */
export function locationNamed(estate: FlexiSpoolerEstate, name: string): Location | undefined {
  return estate.locations.find((l) => l.name === name);
}

/** The estate's locations by name, in the order the installation lists them. */
export function locationNames(estate: FlexiSpoolerEstate): string[] {
  return estate.locations.map((l) => l.name);
}
