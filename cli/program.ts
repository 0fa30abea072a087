/**
 * The commands of `spoolflow`, on commander: each with its own `--help`, its arguments and flags.
 * Handlers are small and call the command files of cli/; errors are turned into exit codes by
 * cli/exit-codes.ts (exitOf): 0 done, 1 failure, 2 invalid input or usage.
 *
 * Every command answers in under half a second (`npm run bench`), so this file loads nothing but
 * commander: each action imports what it needs (the Temporal client, the catalog's machines and
 * schemas, the simulator) when it runs, and `--help` or `plan` never pay for the Temporal client.
 * tsc compiles `await import()` to a `require` inside the action, so the loading really waits.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { SpoolflowClient } from '../client/spoolflow-client';
import { InvalidInputError } from '../machines/core/input-errors';
import { registerChart } from './chart-command';
import { UsageError } from './errors';
import { registerList } from './list-command';
import { registerRollout } from './rollout-command';
import { registerSap } from './sap-command';
import { registerSimNetwork } from './sim-network-command';
import { registerSpoolCleaning } from './spool-cleaning-commands';
import { registerWatch } from './watch-command';

export const OPERATOR_COMMANDS = ['retry', 'skip', 'abort', 'startGroupService', 'overrideLoad', 'submitOrder', 'redirect', 'cancel'] as const;
/** The operator commands that have a short form: `spoolflow retry <workflowId>`. */
export const SHORT_OPERATOR_COMMANDS = ['retry', 'skip', 'abort'] as const;

function readInput(source: string | undefined): unknown {
  if (source === undefined) throw new UsageError('--input <file|-> is required');
  const text = source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError('input', `not valid JSON: ${(err as Error).message}`);
  }
}

export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export async function withClient<T>(fn: (client: SpoolflowClient) => Promise<T>): Promise<T> {
  const { connectClient } = await import('../client/connect');
  const { SpoolflowClient } = await import('../client/spoolflow-client');
  const { client, close } = await connectClient();
  try {
    return await fn(new SpoolflowClient(client));
  } finally {
    await close();
  }
}

/** A required positional, refused with today's message when missing. */
function need(message: string): (value: string | undefined) => string {
  return (value) => {
    if (!value) throw new UsageError(message);
    return value;
  };
}
const needProcedureId = (command: string) => need(`${command} needs a procedure id (see spoolflow catalog)`);

/** The flags of an operator command, as operatorCommandFromArgs takes them (only those given). */
type OperatorFlags = { operator?: string; reason?: string; chain?: string; order?: string; location?: string };
function definedFlags(opts: Record<string, unknown>): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (const [key, value] of Object.entries(opts)) if (typeof value === 'string' || value === true) flags[key] = value;
  return flags;
}

async function sendOperatorCommand(workflowId: string, command: string, opts: OperatorFlags): Promise<void> {
  // Checked before connecting: --operator and --reason go with every command.
  const { operatorCommandFromArgs } = await import('./operator-command');
  const payload = operatorCommandFromArgs(command, definedFlags(opts));
  await withClient(async (c) => print(await c.command(workflowId, payload)));
}

export function buildProgram(): Command {
  const program = new Command('spoolflow')
    .description('Durable maintenance and failover procedures for print-spooler site servers and job-scheduler clusters.\nOutput is JSON on stdout. Exit codes: 0 done, 1 failure, 2 invalid input or usage (the message names the field and the rule).')
    .exitOverride()
    .configureOutput({ outputError: () => undefined }) // main.ts writes the error, as every other one
    .helpCommand(true)
    .usage('<command> [arguments] [flags]')
    .argument('[command]')
    .action((command: string | undefined) => {
      throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
    });

  program
    .command('catalog')
    .description('every procedure: id, workflow type, task queue, JSON Schema of its input and an example input')
    .option('--schemas <dir>', 'write one JSON Schema file per procedure input into <dir> (<id>.schema.json), for systems in other languages')
    .action(async (opts: { schemas?: string }) => {
      if (opts.schemas?.trim() === '') throw new UsageError('--schemas needs a folder');
      const { catalogEntries } = await import('../simulator/catalog-entries');
      if (opts.schemas !== undefined) {
        const { writeCatalogSchemas } = await import('./catalog-schemas');
        return print(writeCatalogSchemas(opts.schemas, catalogEntries()));
      }
      return print(catalogEntries());
    });

  program
    .command('plan')
    .usage('<id> --input <file|->')
    .description('the steps a procedure would take for an input (for fleet-rollout: its rules and waves); nothing is started')
    .argument('[id]', 'the procedure id (see spoolflow catalog)')
    .option('--input <file|->', 'the input, a JSON file or - for standard input')
    .action(async (id: string | undefined, opts: { input?: string }) => {
      const procedureId = needProcedureId('plan')(id);
      const input = readInput(opts.input);
      if (procedureId === 'fleet-rollout') return print((await import('./rollout-plan-command')).planFleetRollout(input));
      const { plan } = await import('../client/procedure-input');
      print(plan(procedureId, input));
    });

  program
    .command('start')
    .usage('<id> --input <file|-> [--wait] [--workflow-id <id>]')
    .description('starts a procedure; prints its workflow id and run id')
    .argument('[id]', 'the procedure id (see spoolflow catalog)')
    .option('--input <file|->', 'the input, a JSON file or - for standard input')
    .option('--wait', 'wait for the procedure to end and print its result too')
    .option('--workflow-id <id>', 'the workflow id (default: one per SPOC group or cluster)')
    .action(async (rawId: string | undefined, opts: { input?: string; wait?: boolean; workflowId?: string }) => {
      const id = needProcedureId('start')(rawId);
      const input = readInput(opts.input);
      // Refuse bad input before connecting to anything. A fleet rollout is checked by its own schema
      // (each group's input by its procedure's) and starts no host work itself, so no agent warning.
      const rollout = id === 'fleet-rollout';
      if (rollout) (await import('../client/fleet-rollout-client')).validateRolloutInput(input);
      else await (await import('../client/procedure-modules')).validateStartInput(id, input);
      const { warnAboutMissingAgents } = await import('./fleet-command');
      await withClient(async (c) => {
        if (!rollout) await warnAboutMissingAgents(c.client, id, input);
        const started = await c.start(id, input, opts.workflowId !== undefined ? { workflowId: opts.workflowId } : {});
        if (!opts.wait) return print(started);
        const result = await c.result(started.workflowId, started.runId);
        return print({ ...started, result });
      });
    });

  program
    .command('status')
    .usage('<workflowId>')
    .description("where a procedure is: its step, halt reason, the commands it accepts, the steps taken")
    .argument('[workflowId]')
    .action(async (workflowId: string | undefined) => {
      const id = need('status needs a workflow id')(workflowId);
      await withClient(async (c) => print(await c.status(id)));
    });

  program
    .command('result')
    .usage('<workflowId>')
    .description('waits for a procedure to end and prints its result')
    .argument('[workflowId]')
    .action(async (workflowId: string | undefined) => {
      const id = need('result needs a workflow id')(workflowId);
      await withClient(async (c) => print(await c.result(id)));
    });

  program
    .command('operator')
    .usage(`<workflowId> <${OPERATOR_COMMANDS.join('|')}> [--operator <name>] [--reason <text>] [--chain <chain> --order <id>] [--location <location>]`)
    .description('sends an operator command to a procedure (--operator and --reason go with every command and are recorded; overrideLoad needs both)')
    .argument('[workflowId]')
    .argument('[command]', OPERATOR_COMMANDS.join(', '))
    .option('--operator <name>', 'who sends the command')
    .option('--reason <text>', 'why')
    .option('--chain <chain>', 'submitOrder: the job chain')
    .option('--order <id>', 'submitOrder: the order id')
    .option('--location <location>', 'redirect: the location a waiting print job goes to')
    .action(async (workflowId: string | undefined, command: string | undefined, opts: OperatorFlags) => {
      if (!workflowId || !command) throw new UsageError('operator needs a workflow id and a command');
      await sendOperatorCommand(workflowId, command, opts);
    });

  for (const command of SHORT_OPERATOR_COMMANDS) {
    program
      .command(command)
      .usage('<workflowId> [--operator <name>] [--reason <text>]')
      .description(`short for: spoolflow operator <workflowId> ${command}`)
      .argument('[workflowId]')
      .option('--operator <name>', 'who sends the command')
      .option('--reason <text>', 'why')
      .action(async (workflowId: string | undefined, opts: OperatorFlags) => sendOperatorCommand(need(`${command} needs a workflow id`)(workflowId), command, opts));
  }

  registerChart(program, withClient, needProcedureId('chart'));
  registerList(program, withClient, print);
  registerRollout(program, withClient, print);
  registerWatch(program, withClient);
  addSimCommands(program);
  addSchedulerCommands(program);
  registerSpoolCleaning(program, print);
  registerSap(program, (fn) => withClient((c) => fn(c.client)), print);

  program
    .command('worker')
    .description('the production central worker, until Ctrl-C or SIGTERM (the fleet configuration from --fleet or SPOOLFLOW_FLEET)')
    .option('--fleet <file>', 'the fleet configuration')
    .action(async (opts: { fleet?: string }) => (await import('./worker-command')).workerCommand(definedFlags(opts)));

  const fleet = program
    .command('fleet')
    .description("the fleet's host agents")
    .argument('[command]')
    .action(async (sub: string | undefined) => print(await (await import('./fleet-command')).fleetCommand(sub === undefined ? [] : [sub], {}, (fn) => withClient((c) => fn(c.client)))));
  fleet
    .command('status')
    .usage('<workflowId>')
    .description('which hosts\' agents poll now, and when each was last seen')
    .argument('[hosts...]', 'the hosts (default: every host of the fleet configuration)')
    .option('--fleet <file>', 'the fleet configuration (or SPOOLFLOW_FLEET)')
    .action(async (hosts: string[], opts: { fleet?: string }) => print(await (await import('./fleet-command')).fleetCommand(['status', ...hosts], definedFlags(opts), (fn) => withClient((c) => fn(c.client)))));

  program
    .command('agent')
    .description('the agent of this server, until SIGINT/SIGTERM (README "The host agent")')
    .option('--config <file>', 'the agent configuration')
    .action(async (opts: { config?: string }) => (await import('./agent-command')).agentCommand(definedFlags(opts)));

  return program;
}

/** `spoolflow sim ...`: the simulator is loaded when such a command runs. */
async function runSim(args: string[], flags: Record<string, string | true>): Promise<void> {
  print((await import('./sim-commands')).simCommand(args, flags));
}

/** `spoolflow scheduler ...`: the simulated clusters are loaded when such a command runs. */
async function runScheduler(args: string[], flags: Record<string, string | true>): Promise<void> {
  print(await (await import('./scheduler-commands')).schedulerCommand(args, flags));
}

function addSimCommands(program: Command): void {
  const sim = program
    .command('sim')
    .description('looks at and disturbs the simulated fleet of the data folder, also while npm start runs it')
    .argument('[command]')
    .action((sub: string | undefined) => runSim(sub === undefined ? [] : [sub], {}));
  sim.command('status').description('every simulated host: services, lifecycle, load, faults').action(() => runSim(['status'], {}));
  sim
    .command('fault')
    .description('injects faults into a host (added to those it has, unless --clear)')
    .argument('[host]')
    .option('--never-online', 'the host never comes online after a restart')
    .option('--rescue-never-finishes', 'the SPOC rescue never finishes')
    .option('--wont-stop <service>', 'this service refuses to stop')
    .option('--wont-start <service>', 'this service refuses to start')
    .option('--slow <factor>', 'everything takes this many times longer (1-100)')
    .option('--clear', 'clear the faults first')
    .action((host: string | undefined, opts: Record<string, unknown>) => runSim(['fault', ...(host === undefined ? [] : [host])], kebabFlags(opts)));
  sim
    .command('load')
    .description('sets the number of active print jobs of a host')
    .argument('[host]')
    .argument('[activeJobs]')
    .action((host: string | undefined, jobs: string | undefined) => runSim(['load', ...[host, jobs].filter((a): a is string => a !== undefined)], {}));
  sim
    .command('restart-os')
    .description('restarts a server as if by hand (Windows updates)')
    .argument('[host]')
    .action((host: string | undefined) => runSim(['restart-os', ...(host === undefined ? [] : [host])], {}));
  sim
    .command('management-server')
    .description('takes the management server up or down')
    .argument('[state]', 'up or down')
    .action((state: string | undefined) => runSim(['management-server', ...(state === undefined ? [] : [state])], {}));
  registerSimNetwork(sim, withClient, print);
}

function addSchedulerCommands(program: Command): void {
  const scheduler = program
    .command('scheduler')
    .description('the simulated JobScheduler clusters, read from the data folder without Temporal (a supervisor\'s own view: spoolflow status jobscheduler-cluster-<cluster>)')
    .argument('[command]')
    .action((sub: string | undefined) => runScheduler(sub === undefined ? [] : [sub], {}));
  scheduler
    .command('status')
    .usage('<workflowId>')
    .description('the clusters (or one): members, active member, jobs, orders')
    .argument('[cluster]')
    .action((cluster: string | undefined) => runScheduler(['status', ...(cluster === undefined ? [] : [cluster])], {}));
  scheduler
    .command('record')
    .description('the last operations done to the simulated members')
    .option('--last <n>', 'how many (default 20)')
    .action((opts: { last?: string }) => runScheduler(['record'], definedFlags(opts)));
  const memberCommands: [string, string][] = [
    ['kill', 'kills the member process (kill -9)'],
    ['terminate', 'stops the member process cleanly'],
    ['hang', 'the member process stops answering and beating'],
    ['resume', 'a hung member process goes on'],
    ['cut-off', 'the member loses its database connection'],
    ['reconnect', 'the member gets its database connection back'],
    ['start', 'starts the member the way its host starts it'],
  ];
  for (const [command, description] of memberCommands) {
    scheduler
      .command(command)
      .description(description)
      .argument('[member]')
      .action((member: string | undefined) => runScheduler([command, ...(member === undefined ? [] : [member])], {}));
  }
}

/** commander's camelCase option names back to the flag names (`neverOnline` is `never-online`). */
function kebabFlags(opts: Record<string, unknown>): Record<string, string | true> {
  return definedFlags(Object.fromEntries(Object.entries(opts).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value])));
}
