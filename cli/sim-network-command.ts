/**
 * `spoolflow sim network ...`: look at and disturb the simulated FlexiSpooler network of the data
 * folder, also while `npm start` runs it (both share `<data dir>/sim/flexispooler/network.sqlite`).
 *
 *   spoolflow sim network status
 *   spoolflow sim network move <client> <network>          the user takes the computer elsewhere
 *   spoolflow sim network down|up <server>                 an outage of a Spooler Controller, the public or a data-center server
 *   spoolflow sim network option9 <network> off|on         DHCP stops (or starts again) sending option 9 there
 *   spoolflow sim network slow <server> <ms>               the server answers a delivery it took this much later (0: not slow)
 *   spoolflow sim network print <client> [--job <id>] [--document <name>]   the user prints: a deliver-print-job workflow
 *   spoolflow sim network authenticate <user> <printer>    the user releases their held jobs at a printer
 *   spoolflow sim network record [--last <n>]
 *
 * Only the registration is here; the work is in cli/sim-network-actions.ts, loaded when a command runs.
 */
import type { Command } from 'commander';
import type { SpoolflowClient } from '../client/spoolflow-client';
import type { SimNetworkName } from '../simulator/flexispooler/sim-network-definition';

type WithClient = <T>(fn: (client: SpoolflowClient) => Promise<T>) => Promise<T>;

/**
 * The networks a client can be moved to, for `--help`: written out (in SIM_NETWORKS' order) so that
 * registering loads no simulator; the type checker refuses a missing or an unknown one.
 */
const NETWORKS = {
  'office-prague': true,
  'office-london': true,
  'office-bratislava': true,
  'office-bratislava-no-option-9': true,
  offline: true,
  'public-wifi': true,
} as const satisfies Record<SimNetworkName, true>;
const NETWORK_NAMES = Object.keys(NETWORKS);

/** The work of the commands, loaded when one runs (the simulator, SQLite, the Temporal client). */
const actions = () => import('./sim-network-actions');

/** Registers `sim network ...` under `sim`. */
export function registerSimNetwork(sim: Command, withClient: WithClient, print: (value: unknown) => void): void {
  const run = async (args: (string | undefined)[], flags: Record<string, string | true> = {}) => print((await actions()).simNetworkCommand(args.filter((x): x is string => x !== undefined), flags));
  const network = sim
    .command('network')
    .description('the simulated FlexiSpooler network: clients, outages, DHCP option 9, prints and releases')
    .argument('[command]')
    .action((sub: string | undefined) => run([sub]));
  network.command('status').description('where each client is, servers down or slow, option 9 withheld, held and printed jobs').action(() => run(['status']));
  network.command('move').description(`takes a client's computer to another network (${NETWORK_NAMES.join(', ')})`).argument('[client]').argument('[network]').action((c?: string, n?: string) => run(['move', c, n]));
  network.command('down').description('a server goes down (Spooler Controller, public or data-center server)').argument('[server]').action((s?: string) => run(['down', s]));
  network.command('up').description('a server is back').argument('[server]').action((s?: string) => run(['up', s]));
  network.command('option9').description("DHCP on a network stops (off) or starts again (on) sending option 9").argument('[network]').argument('[state]', 'on or off').action((n?: string, s?: string) => run(['option9', n, s]));
  network.command('slow').description('a server answers a delivery it took this many ms later').argument('[server]').argument('[ms]').action((s?: string, ms?: string) => run(['slow', s, ms]));
  network.command('authenticate').description('a user authenticates at a printer: their held jobs are printed there').argument('[user]').argument('[printer]').action((u?: string, p?: string) => run(['authenticate', u, p]));
  network
    .command('record')
    .description('the last delivery steps')
    .option('--last <n>', 'how many (default 20)')
    .action((opts: { last?: string }) => run(['record'], opts.last === undefined ? {} : { last: opts.last }));
  network
    .command('print')
    .description('a client prints a document: starts its deliver-print-job workflow (flexispooler-job-<client>:<job>)')
    .argument('[client]')
    .option('--job <id>', 'the job id (default <user>-<time>)')
    .option('--document <name>', 'the document name')
    .action(async (client: string | undefined, opts: { job?: string; document?: string }) => print(await (await actions()).simNetworkPrint(withClient, client, opts)));
}
