/**
 * The simulated FlexiSpooler network, as in the document's picture: Prague with one Spooler
 * Controller, London with two, Bratislava with one (each with its FlexiSpooler Spooling Server on
 * the same machine), a printer in each office, a public FlexiSpooler Server in front of two
 * FlexiSpooler Servers in the data center, and the clients: where each was installed, how it
 * finds its location, and the network it is on when the simulation starts.
 */
import type { DiscoveryMode } from '../../machines/flexispooler/job-delivery-input';

const both = ['spooler-controller', 'flexispooler-spooling-server'] as const;

/** The estate, in the shape of the delivery input's `estate` (a client without a public server configured gets it without). */
export const SIM_FLEXISPOOLER_ESTATE = {
  locations: [
    { name: 'prague', servers: [{ host: 'sc-prg-1', runs: [...both] }], printers: ['printer-prg-1'] },
    {
      name: 'london',
      servers: [
        { host: 'sc-lon-1', runs: [...both] },
        { host: 'sc-lon-2', runs: [...both] },
      ],
      printers: ['printer-lon-1'],
    },
    { name: 'bratislava', servers: [{ host: 'sc-bts-1', runs: [...both] }], printers: ['printer-bts-1'] },
  ],
  publicServer: { host: 'flexi-public', dataCenter: ['flexi-dc-1', 'flexi-dc-2'] },
};

/** The networks a client's computer can be on. */
export const SIM_NETWORKS = {
  /** An office's network: its DHCP sends option 9 naming the location's Spooler Controllers. */
  'office-prague': { location: 'prague', option9: true, internet: true },
  'office-london': { location: 'london', option9: true, internet: true },
  'office-bratislava': { location: 'bratislava', option9: true, internet: true },
  /** Bratislava's network with the DHCP problem of the document's scenario 2: no option 9. */
  'office-bratislava-no-option-9': { location: 'bratislava', option9: false, internet: true },
  /** A taxi: no network at all. */
  offline: { location: null, option9: false, internet: false },
  /** The airport's public wifi: the internet, no office. */
  'public-wifi': { location: null, option9: false, internet: true },
} as const;
export type SimNetworkName = keyof typeof SIM_NETWORKS;

export interface SimClient {
  client: string;
  user: string;
  installation: { location: string; discovery: DiscoveryMode };
  /** A public FlexiSpooler Server is configured on this client (the document's scenario 4); the others only know their location's. */
  publicServer: boolean;
  /** The network the computer is on when the simulation starts. */
  network: SimNetworkName;
}

/** Ann's laptop: installed in Prague, finds its location through DHCP option 9 (the catalog's example; the document's scenario 2). */
export const ANN: SimClient = { client: 'laptop-ann', user: 'ann', installation: { location: 'prague', discovery: 'dhcp-option-9' }, publicServer: false, network: 'office-prague' };

export const SIM_CLIENTS: SimClient[] = [
  ANN,
  // Scenario 3: installed for Prague with the locations map, no discovery.
  { client: 'laptop-ben', user: 'ben', installation: { location: 'prague', discovery: 'locations-map' }, publicServer: false, network: 'office-prague' },
  // Scenario 1: London, two Spooler Controllers.
  { client: 'laptop-cleo', user: 'cleo', installation: { location: 'london', discovery: 'dhcp-option-9' }, publicServer: false, network: 'office-london' },
  // Scenario 1: Bratislava, one Spooler Controller.
  { client: 'laptop-dan', user: 'dan', installation: { location: 'bratislava', discovery: 'dhcp-option-9' }, publicServer: false, network: 'office-bratislava' },
  // Scenario 4: from Prague to the airport, a public FlexiSpooler Server configured.
  { client: 'laptop-eva', user: 'eva', installation: { location: 'prague', discovery: 'dhcp-option-9' }, publicServer: true, network: 'office-prague' },
];

/** A delivery input for a client of the simulated network (the catalog's example, and `spoolflow sim network print`). */
export function simPrintJobInput(client: SimClient, job: { id: string; document: string }, waits = { retrySeconds: 5, releaseWatchSeconds: 30 }) {
  return {
    client: client.client,
    user: client.user,
    job,
    installation: client.installation,
    estate: client.publicServer ? SIM_FLEXISPOOLER_ESTATE : { locations: SIM_FLEXISPOOLER_ESTATE.locations },
    waits,
  };
}
