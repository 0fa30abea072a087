/**
 * The work of `spoolflow sim network ...` (registered in cli/sim-network-command.ts): opens the
 * simulated FlexiSpooler network of the data folder, or starts a deliver-print-job workflow. Loaded
 * by the actions, as it loads the simulator, SQLite and the Temporal client.
 */
import path from 'node:path';
import type { SpoolflowClient } from '../client/spoolflow-client';
import { dataDir } from '../engine/data-dir';
import { openSimNetwork } from '../simulator/flexispooler/sim-flexispooler-agents';
import { SIM_CLIENTS, SIM_NETWORKS, SimNetworkName, simPrintJobInput } from '../simulator/flexispooler/sim-network-definition';
import type { SimFlexiSpoolerNetwork } from '../simulator/flexispooler/sim-network';
import { SimUsageError } from './sim-commands';
import { printJobWorkflowId } from '../machines/flexispooler/print-job-workflow-id';

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
  return withClient(async (c) => c.start('deliver-print-job', input, { workflowId: printJobWorkflowId(client.client, job.id) }));
}
