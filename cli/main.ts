/**
 * spoolflow: the command line of the client contract.
 *
 *   spoolflow catalog [--schemas <dir>]
 *   spoolflow plan <id> --input <file|->
 *   spoolflow start <id> --input <file|-> [--wait] [--workflow-id <id>]
 *   spoolflow status <workflowId>
 *   spoolflow operator <workflowId> <retry|skip|abort|startGroupService|overrideLoad|submitOrder> [--operator <name>] [--reason <text>] [--chain <chain> --order <id>]
 *     (--operator and --reason go with every command and are recorded; overrideLoad needs both)
 *   spoolflow result <workflowId>
 *   spoolflow chart <id> [--svg | --mermaid] [--out <file>] [--workflow <workflowId>]   (Mermaid by default, or an SVG statechart diagram; the procedure's current step highlighted)
 *   spoolflow worker [--fleet <file>]                (the production central worker; cli/worker-command.ts)
 *   spoolflow fleet status [<host>...] [--fleet <file>]   (which agents poll now; cli/fleet-command.ts)
 *   spoolflow agent --config <file>   (the agent of this server: runs until SIGINT/SIGTERM)
 *
 * Output is JSON on stdout. Exit codes: 0 done, 1 failure, 2 invalid input or usage (the message
 * names the field and the rule).
 */
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../machines/core/input-errors';
import { catalogEntries } from '../simulator/catalog-entries';
import { connectClient } from '../client/connect';
import { plan, SpoolflowClient, validateInput } from '../client/spoolflow-client';
import { operatorCommandFromArgs, OperatorUsageError } from './operator-command';
import { chartCommand, ChartUsageError } from './chart-command';
import { simCommand, SimUsageError } from './sim-commands';
import { schedulerCommand, SchedulerUsageError } from './scheduler-commands';
import { workerCommand } from './worker-command';
import { fleetCommand, FleetUsageError, warnAboutMissingAgents } from './fleet-command';
import { FleetConfigError } from '../worker/fleet-config';
import { ConnectionConfigError } from '../engine/connection-config';
import { FleetFileMissingError } from '../worker/run-central-worker';
import { agentCommand, AgentUsageError } from './agent-command';
import { AgentConfigError } from '../agent/agent-config';
import { writeCatalogSchemas } from './catalog-schemas';

class UsageError extends Error {}

const USAGE = `usage:
  spoolflow catalog [--schemas <dir>]   (--schemas: one JSON Schema file per procedure input, <id>.schema.json)
  spoolflow plan <id> --input <file|->
  spoolflow start <id> --input <file|-> [--wait] [--workflow-id <id>]
  spoolflow status <workflowId>
  spoolflow operator <workflowId> <retry|skip|abort|startGroupService|overrideLoad|submitOrder> [--operator <name>] [--reason <text>] [--chain <chain> --order <id>]
                   (--operator and --reason go with every command and are recorded; overrideLoad needs both)
  spoolflow result <workflowId>
  spoolflow chart <id> [--svg | --mermaid] [--out <file>] [--workflow <workflowId>]
                   (Mermaid text by default; --svg an SVG statechart diagram; --workflow highlights where that procedure is)
  spoolflow worker [--fleet <file>]      (the production central worker; the fleet configuration from --fleet or SPOOLFLOW_FLEET)
  spoolflow fleet status [<host>...] [--fleet <file>]   (which hosts' agents poll now, and when each was last seen)
  spoolflow agent --config <file>   (the agent of this server, until SIGINT/SIGTERM; README "The host agent")
  spoolflow sim status | fault <host> [--never-online] [--rescue-never-finishes] [--wont-stop <service>] [--wont-start <service>] [--slow <factor>] [--clear]
                       | load <host> <activeJobs> | restart-os <host> | management-server up|down
  spoolflow scheduler status [<cluster>] | record [--last <n>]
                      | kill|terminate|hang|resume|cut-off|reconnect|start <member>
                      (the simulated JobScheduler clusters, read from the data folder without Temporal;
                       a supervisor's own view: spoolflow status jobscheduler-cluster-<cluster>)`;

const BOOLEAN_FLAGS = new Set(['--wait', '--never-online', '--rescue-never-finishes', '--clear', '--svg', '--mermaid']);

function parseArgs(argv: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && (!next.startsWith('--') || next === '-') && !BOOLEAN_FLAGS.has(arg)) {
        flags[arg.slice(2)] = next;
        i += 1;
      } else flags[arg.slice(2)] = true;
    } else positional.push(arg);
  }
  return { positional, flags };
}

function readInput(source: string | true | undefined): unknown {
  if (typeof source !== 'string') throw new UsageError('--input <file|-> is required');
  const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError('input', `not valid JSON: ${(err as Error).message}`);
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function withClient<T>(fn: (client: SpoolflowClient) => Promise<T>): Promise<T> {
  const { client, close } = await connectClient();
  try {
    return await fn(new SpoolflowClient(client));
  } finally {
    await close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv);
  const [command, arg1, arg2] = positional;
  switch (command) {
    case 'catalog':
      if (flags.schemas === true) throw new UsageError('--schemas needs a folder');
      if (typeof flags.schemas === 'string') return print(writeCatalogSchemas(flags.schemas, catalogEntries()));
      return print(catalogEntries());
    case 'plan':
      if (!arg1) throw new UsageError('plan needs a procedure id (see spoolflow catalog)');
      return print(plan(arg1, readInput(flags.input)));
    case 'start': {
      if (!arg1) throw new UsageError('start needs a procedure id (see spoolflow catalog)');
      const input = readInput(flags.input);
      validateInput(arg1, input); // refuse bad input before connecting to anything
      return withClient(async (c) => {
        await warnAboutMissingAgents(c.client, arg1, input);
        const started = await c.start(arg1, input, typeof flags['workflow-id'] === 'string' ? { workflowId: flags['workflow-id'] } : {});
        if (!flags.wait) return print(started);
        const result = await c.result(started.workflowId, started.runId);
        return print({ ...started, result });
      });
    }
    case 'status':
      if (!arg1) throw new UsageError('status needs a workflow id');
      return withClient(async (c) => print(await c.status(arg1)));
    case 'result':
      if (!arg1) throw new UsageError('result needs a workflow id');
      return withClient(async (c) => print(await c.result(arg1)));
    case 'operator': {
      if (!arg1 || !arg2) throw new UsageError('operator needs a workflow id and a command');
      let command;
      try {
        // Checked before connecting: --operator and --reason go with every command.
        command = operatorCommandFromArgs(arg2, flags);
      } catch (err) {
        if (err instanceof OperatorUsageError) throw new UsageError(err.message);
        throw err;
      }
      return withClient(async (c) => print(await c.command(arg1, command)));
    }
    case 'chart':
      try {
        return await chartCommand(arg1, flags, (workflowId) => withClient((c) => c.status(workflowId)));
      } catch (err) {
        if (err instanceof ChartUsageError) throw new UsageError(err.message);
        throw err;
      }
    case 'sim':
      try {
        return print(simCommand(positional.slice(1), flags));
      } catch (err) {
        if (err instanceof SimUsageError) throw new UsageError(err.message);
        throw err;
      }
    case 'scheduler':
      try {
        return print(await schedulerCommand(positional.slice(1), flags));
      } catch (err) {
        if (err instanceof SchedulerUsageError) throw new UsageError(err.message);
        throw err;
      }
    case 'worker':
      if (flags.fleet === true) throw new UsageError('--fleet needs a file');
      return workerCommand(flags);
    case 'fleet':
      try {
        return print(await fleetCommand(positional.slice(1), flags, (fn) => withClient((c) => fn(c.client))));
      } catch (err) {
        if (err instanceof FleetUsageError) throw new UsageError(err.message);
        throw err;
      }
    case 'agent':
      try {
        return await agentCommand(flags);
      } catch (err) {
        if (err instanceof AgentUsageError) throw new UsageError(err.message);
        throw err;
      }
    case undefined:
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`spoolflow: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof InvalidInputError || err instanceof FleetConfigError || err instanceof FleetFileMissingError || err instanceof AgentConfigError || err instanceof ConnectionConfigError || (err instanceof Error && /^unknown procedure/.test(err.message))) {
    process.stderr.write(`spoolflow: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`spoolflow: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
