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
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { SpoolflowClient } from '../client/spoolflow-client';
import { dataDir } from '../engine/data-dir';
import { openSimNetwork } from '../simulator/flexispooler/sim-flexispooler-agents';
import { SIM_CLIENTS, SIM_NETWORKS, SimNetworkName, simPrintJobInput } from '../simulator/flexispooler/sim-network-definition';
import type { SimFlexiSpoolerNetwork } from '../simulator/flexispooler/sim-network';
import { SimUsageError } from './sim-commands';

type WithClient = <T>(fn: (client: SpoolflowClient) => Promise<T>) => Promise<T>;

/** Every server of the simulated estate an outage can hit. */
function serversOf(network: SimFlexiSpoolerNetwork): string[] {
  const { locations, publicServer } = network.estate;
  return [...locations.flatMap((l) => l.servers.map((s) => s.host)), ...(publicServer ? [publicServer.host, ...publicServer.dataCenter] : [])];
}

function known<T extends string>(value: string | undefined, among: readonly T[], what: string): T {
  if (value === undefined || !(among as readonly string[]).includes(value)) throw new SimUsageError(`${value === undefined ? `a ${what} is required` : `no ${what} "${value}"`}; ${what}s: ${among.join(', ')}`);
  return value as T;
}

const NETWORK_NAMES = Object.keys(SIM_NETWORKS) as SimNetworkName[];
const CLIENT_NAMES = SIM_CLIENTS.map((c) => c.client);

/** The commands that need no Temporal server. */
export function simNetworkCommand(args: string[], flags: Record<string, string | true>): unknown {
  const [sub, a, b] = args;
  const network = openSimNetwork(path.join(dataDir(), 'sim'));
  try {
    const { store, record } = network;
    switch (sub) {
      case 'status':
        return {
          clients: store.clients().map((c) => ({ ...c, ...(SIM_NETWORKS[c.network as SimNetworkName] ?? {}) })),
          serversDown: store.serversDown(),
          slowServers: store.slowServers(),
          option9Withheld: store.option9Outages(),
          held: store.heldJobs().map((j) => ({ ...j, printed: store.printedJob(j.jobId) ?? null })),
        };
      case 'move': {
        const client = known(a, CLIENT_NAMES, 'client');
        const to = known(b, NETWORK_NAMES, 'network');
        store.moveClient(client, to);
        record.append({ client, job: null, operation: 'move-client', server: to, outcome: 'moved' });
        return { client, network: to, ...SIM_NETWORKS[to] };
      }
      case 'down':
      case 'up': {
        const server = known(a, serversOf(network), 'server');
        store.setDown(server, sub === 'down');
        record.append({ client: '', job: null, operation: sub === 'down' ? 'server-down' : 'server-up', server, outcome: sub });
        return { server, state: sub };
      }
      case 'option9': {
        const on = known(b, ['on', 'off'] as const, 'state (on or off)');
        const where = known(a, NETWORK_NAMES, 'network');
        store.setOption9Withheld(where, on === 'off');
        record.append({ client: '', job: null, operation: on === 'off' ? 'option-9-withheld' : 'option-9-restored', server: where, outcome: on });
        return { network: where, option9: on };
      }
      case 'slow': {
        const server = known(a, serversOf(network), 'server');
        const ms = Number(b);
        if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) throw new SimUsageError('sim network slow needs a server and a delay in ms (0-600000; 0: not slow)');
        store.setSlowness(server, ms);
        return { server, answersAfterMs: ms };
      }
      case 'authenticate': {
        if (!a) throw new SimUsageError('sim network authenticate needs a user and a printer');
        const printers = network.estate.locations.flatMap((l) => l.printers);
        return network.authenticate(a, known(b, printers, 'printer'));
      }
      case 'record': {
        const last = flags.last === undefined ? 20 : Number(flags.last);
        if (!Number.isInteger(last) || last < 1) throw new SimUsageError('--last must be a whole number from 1');
        return record.read().slice(-last);
      }
      case undefined:
      default:
        throw new SimUsageError(`${sub ? `unknown sim network command "${sub}"` : 'sim network needs a command'}: status, move, down, up, option9, slow, print, authenticate, record`);
    }
  } finally {
    network.store.close();
  }
}

/** `print`: the user prints a document, which a deliver-print-job workflow delivers. */
export async function simNetworkPrint(withClient: WithClient, clientName: string | undefined, flags: { job?: string; document?: string }): Promise<unknown> {
  const client = SIM_CLIENTS.find((c) => c.client === known(clientName, CLIENT_NAMES, 'client'));
  if (!client) throw new SimUsageError(`no client ${clientName ?? ''}`);
  const job = { id: flags.job ?? `${client.user}-${Date.now()}`, document: flags.document ?? 'document.pdf' };
  const input = simPrintJobInput(client, job);
  return withClient(async (c) => c.start('deliver-print-job', input, { workflowId: `flexispooler-job-${client.client}-${job.id}` }));
}

/** Registers `sim network ...` under `sim`. */
export function registerSimNetwork(sim: Command, withClient: WithClient, print: (value: unknown) => void): void {
  const network = sim
    .command('network')
    .description('the simulated FlexiSpooler network: clients, outages, DHCP option 9, prints and releases')
    .argument('[command]')
    .action((sub: string | undefined) => print(simNetworkCommand(sub === undefined ? [] : [sub], {})));
  const run = (args: (string | undefined)[], flags: Record<string, string | true> = {}) => print(simNetworkCommand(args.filter((x): x is string => x !== undefined), flags));
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
    .description('a client prints a document: starts its deliver-print-job workflow (flexispooler-job-<client>-<job>)')
    .argument('[client]')
    .option('--job <id>', 'the job id (default <user>-<time>)')
    .option('--document <name>', 'the document name')
    .action(async (client: string | undefined, opts: { job?: string; document?: string }) => print(await simNetworkPrint(withClient, client, opts)));
}
