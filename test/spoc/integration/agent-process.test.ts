/**
 * The real host agent, end to end on Linux: two `spoolflow agent --config` processes, one per site
 * server of the london group, each polling its host's queue on the test's dev server and running
 * the production activities through the real process runner. Their `sc.exe`, `powershell.exe` and
 * `shutdown.exe` are executables under each host's emulated C:\Windows\System32 that answer as
 * Windows does (the simulator's emulators behind a command-line front). The central worker runs in
 * this process with the simulated fleet's Management Server view (test side). The agents log their
 * file changes (the cache deletion); those lines join the hosts' record by time for the plan check.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { groupRestartExample, osRestartExamples } from '../../../simulator/example-inputs';
import { planProcedure } from '../../../machines/core/plan';
import { restartGroupWithoutCacheDeletionMachine } from '../../../machines/spoc/restart-group-without-cache-deletion';
import { restartGroupWithCacheDeletionMachine } from '../../../machines/spoc/restart-group-with-cache-deletion';
import type { GroupRestartInput } from '../../../machines/spoc/spoc-group-input';
import type { OperationRecordEntry } from '../../../simulator/core/operation-record';
import type { SpocProcedureOutput } from '../../../machines/spoc/spoc-procedure-output';
import { PROTECTED_SERVICES } from '../../../machines/spoc/spoc-services';
import { createCentralWorkers } from '../../../worker/central-worker';
import { installFakeWindowsPrograms, serveFakeWindows, type FakeWindows } from '../../../simulator/windows/fake-windows-programs/fake-windows-server';
import type { SimFleet } from '../../../simulator/spoc/sim-fleet';
import { plannedChanges, recordedChanges } from '../../helpers/plan-vs-record';
import { leftStopped, maxMembersDownAtOnce, repeatedOperations } from '../../helpers/record-invariants';
import { testInventory } from '../../helpers/sim-fleet';
import { useSimulatedEstate } from '../../helpers/integration-estate';
import { AgentAsWindowsService, spawnAgent, type AgentProcess } from '../../helpers/agent-process';

const estate = useSimulatedEstate();
const INSTALL_DIR = 'C:\\Program Files\\Dispatcher Paragon';

let dir: string;
let fakeWindows: FakeWindows | undefined;
const agents: AgentProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-agent-'));
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop('SIGKILL')));
  await fakeWindows?.close();
  fakeWindows = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The agent of a simulated host as an operator would configure it, its drives being the host's. */
function agentConfig(fleet: SimFleet, host: string) {
  return {
    host: host.toUpperCase(),
    notesFolder: path.join(dir, host, 'notes'),
    spocSiteServer: { installDir: INSTALL_DIR },
    pollMs: 50,
    emulatedWindowsDrives: fleet.host(host).fsRoot,
    machineNameCheck: { skip: true, reason: "the test runs every host's agent on this one machine" },
  };
}

async function startAgents(fleet: SimFleet, hosts: string[]): Promise<AgentProcess[]> {
  fakeWindows = await serveFakeWindows(fleet, path.join(dir, 'windows.sock'));
  const started = hosts.map((host) => {
    installFakeWindowsPrograms(fleet.host(host).fsRoot, host, path.join(dir, 'windows.sock'));
    const agent = spawnAgent(agentConfig(fleet, host), path.join(dir, `${host}.json`), { address: estate.address, namespace: estate.temporal.namespace });
    agents.push(agent);
    return agent;
  });
  await Promise.all(started.map((agent, i) => agent.waitFor(new RegExp(`agent of ${hosts[i]} on machine ${os.hostname()} polls task queue spoolflow-host-${hosts[i]} on ${estate.address.replace(/[.]/g, '\\.')}, namespace ${estate.temporal.namespace}`))));
  return started;
}

/** What the agents say they changed on their files (the cache deletion), as entries of the hosts' record. */
function agentFileChanges(agentsByHost: Map<string, AgentProcess>): OperationRecordEntry[] {
  return [...agentsByHost].flatMap(([host, agent]) =>
    [...agent.output().matchAll(/^\[spoolflow agent\] (\S+) (delete-cache) (.+): (\S+)$/gm)].map((m) => ({ time: m[1]!, host, operation: m[2]!, target: m[3]!, outcome: m[4]! })),
  );
}

/** Runs `procedureId` on the london group through its two real agents; returns the result and the hosts' record, agents' file changes merged in by time. */
/** The central worker (with its lease watches) runs in this process until `fn` has its answer. */
async function runCentralUntil<T>(fleet: SimFleet, fn: () => Promise<T>): Promise<T> {
  const [central, leaseWatches] = await createCentralWorkers({ connection: estate.temporal.nativeConnection, namespace: estate.temporal.namespace, managementServer: fleet.managementServer(), pollMs: 50 });
  const watching = leaseWatches.run();
  try {
    return await central.runUntil(fn);
  } finally {
    leaseWatches.shutdown();
    await watching;
  }
}

async function runThroughAgents(procedureId: string, input: GroupRestartInput, fleet: SimFleet) {
  const hosts = input.members.map((m) => m.host);
  const started = await startAgents(fleet, hosts);
  const workflowId = `test-agent-${randomUUID()}`;
  const output = (await runCentralUntil(fleet, async () => {
    await estate.spoolflow.start(procedureId, input, { workflowId });
    return estate.spoolflow.result(workflowId);
  })) as SpocProcedureOutput;
  const byHost = new Map(hosts.map((host, i) => [host, started[i]!]));
  const record = [...fleet.record.read(), ...agentFileChanges(byHost)].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  return { output, record, hosts, agents: started, workflowId };
}

/** How each log wait judged the lines, host by host: the `logCheck.basis` of its answers, from the workflow's history. */
async function logWaitBases(workflowId: string): Promise<Record<string, string[]>> {
  const events = (await estate.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!]));
  const payload = (data: Uint8Array | null | undefined): unknown => JSON.parse(Buffer.from(data ?? []).toString('utf8'));
  const bases: Record<string, string[]> = {};
  for (const done of events.map((e) => e.activityTaskCompletedEventAttributes).filter((a) => a !== null && a !== undefined)) {
    const step = scheduled.get(String(done.scheduledEventId));
    const activity = step?.activityType?.name ?? '';
    if (activity !== 'awaitLifecycleOnline' && activity !== 'awaitRescueFinished') continue;
    const { host } = payload(step?.input?.payloads?.[0]?.data) as { host: string };
    const { logCheck } = payload(done.result?.payloads?.[0]?.data) as { logCheck: { basis: string } };
    (bases[`${activity}@${host}`] ??= []).push(logCheck.basis);
  }
  return bases;
}

/** Only the group's hosts, only the vendor's services, never a protected one nor Windows' own; every service running at the end. */
function expectOnlyVendorServicesTouched(fleet: SimFleet, record: OperationRecordEntry[], hosts: string[]): void {
  expect(new Set(record.map((e) => e.host))).toEqual(new Set(hosts));
  const touched = new Set(record.filter((e) => e.outcome === 'accepted').map((e) => e.target));
  for (const service of [...PROTECTED_SERVICES, 'Print Spooler', 'Windows Remote Management (WS-Management)']) expect(touched.has(service)).toBe(false);
  expect([...touched].every((service) => service.startsWith('Dispatcher Paragon '))).toBe(true);
  for (const host of hosts) expect(Object.values(fleet.host(host).serviceStates()).every((state) => state === 'RUNNING')).toBe(true);
}

test('a group restart without cache deletion runs through two real agent processes and matches its plan', async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const input = groupRestartExample(inventory, 'london');
  const { output, record, hosts, agents: [first, second], workflowId } = await runThroughAgents('restart-group-without-cache-deletion', input, fleet);

  expect(output.outcome).toBe('completed');
  expect(output.completedMembers).toEqual(hosts);
  // Exactly the stops and starts the plan lists, host by host, in its order.
  expect(recordedChanges(record)).toEqual(plannedChanges(planProcedure(restartGroupWithoutCacheDeletionMachine, input), () => INSTALL_DIR));
  expect(maxMembersDownAtOnce(record, hosts)).toBe(1);
  expect(repeatedOperations(record)).toEqual([]);
  expect(leftStopped(record)).toEqual({});
  expectOnlyVendorServicesTouched(fleet, record, hosts);
  // The ONLINE and rescue waits read only what each SPOC wrote after the position its agent noted when it started it, not lines picked by their timestamps.
  const byPosition = ['position noted at the start'];
  expect(await logWaitBases(workflowId)).toEqual(Object.fromEntries(hosts.flatMap((h) => [[`awaitLifecycleOnline@${h}`, byPosition], [`awaitRescueFinished@${h}`, byPosition]])));
  // Every host's agent runs here, on one machine: each says at start that it did not compare the names, and why.
  expect(first!.output()).toContain(`machineNameCheck.skip: this machine is "${os.hostname()}" and host is "spoc-lon-1"; not compared, because: the test runs every host's agent on this one machine`);

  // A service manager's stop: each agent drains and exits cleanly.
  expect(await first!.stop('SIGTERM')).toBe(0);
  expect(await second!.stop('SIGTERM')).toBe(0);
  expect(first!.output()).toMatch(/agent of spoc-lon-1 stopped/);
}, 180_000);

test('a group restart with cache deletion runs through two real agent processes: every cache deleted by its own agent, as planned', async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const input = groupRestartExample(inventory, 'london');
  input.waits.betweenStartsSeconds = 2;
  const { output, record, hosts } = await runThroughAgents('restart-group-with-cache-deletion', input, fleet);

  expect(output).toMatchObject({ outcome: 'completed', completedMembers: hosts, leftStopped: {} });
  expect(record.filter((e) => e.operation === 'delete-cache').map((e) => `${e.host}:${e.target}:${e.outcome}`)).toEqual(hosts.map((h) => `${h}:${INSTALL_DIR}\\SPOC\\SpoolCache:deleted`));
  expect(recordedChanges(record)).toEqual(plannedChanges(planProcedure(restartGroupWithCacheDeletionMachine, input), () => INSTALL_DIR));
  expect(repeatedOperations(record)).toEqual([]);
  expect(leftStopped(record)).toEqual({});
  expectOnlyVendorServicesTouched(fleet, record, hosts);
  // Recovered, not rescued: the caches the agents deleted are full again.
  for (const host of hosts) expect(fleet.host(host).cacheJobs()).toBe(inventory.siteServers.find((s) => s.host === host)?.jobsInCache);
}, 180_000);

test("group members' OS restarts through their real agents: each agent dies with Windows, comes back after the boot, and the procedure goes on", async () => {
  const inventory = testInventory();
  const fleet = estate.fleet(inventory);
  const example = osRestartExamples(inventory)['restart-os-of-group-members'];
  const input = { ...example, waits: { ...example.waits, settleSeconds: 2, restartDelaySeconds: 5 } };
  const hosts = input.members.map((m) => m.host);
  fakeWindows = await serveFakeWindows(fleet, path.join(dir, 'windows.sock'));
  const services = hosts.map((host) => {
    installFakeWindowsPrograms(fleet.host(host).fsRoot, host, path.join(dir, 'windows.sock'));
    return new AgentAsWindowsService(fleet.host(host), () =>
      spawnAgent(agentConfig(fleet, host), path.join(dir, `${host}.json`), { address: estate.address, namespace: estate.temporal.namespace }),
    );
  });
  try {
    const workflowId = `test-agent-os-${randomUUID()}`;
    const output = (await runCentralUntil(fleet, async () => {
      await estate.spoolflow.start('restart-os-of-group-members', input, { workflowId });
      return estate.spoolflow.result(workflowId);
    })) as SpocProcedureOutput;

    expect(output).toMatchObject({ outcome: 'completed', completedMembers: hosts, leftStopped: {} });
    expect(services.map((s) => s.starts)).toEqual([2, 2]);
    const record = fleet.record.read();
    expect(maxMembersDownAtOnce(record, hosts)).toBe(1);
    for (const host of hosts) {
      // Asked once, however often the step ran: the agent's note in its notes folder said so after the boot.
      // Beside it, the SPOC log note (the install folder the procedure's preflight checked there, for the log waits).
      expect(record.filter((e) => e.host === host && e.operation === 'restart-os' && e.outcome === 'accepted')).toHaveLength(1);
      expect(record.filter((e) => e.host === host && e.operation === 'os-boot')).toHaveLength(1);
      const notes = readdirSync(path.join(dir, host, 'notes'));
      expect(notes.filter((note) => !note.startsWith('spoc-logs_'))).toHaveLength(1);
      expect(notes.filter((note) => note.startsWith('spoc-logs_'))).toHaveLength(1);
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
}, 240_000);

test('an agent whose configuration is invalid exits with code 2 naming the field, before connecting', async () => {
  const agent = spawnAgent({ host: 'spoc-lon-1', notesFolder: 'notes', spocSiteServer: { installDir: 'D:' }, pollMs: 1 }, path.join(dir, 'bad.json'), { address: '127.0.0.1:1', namespace: 'default' });
  agents.push(agent);
  expect(await agent.exited).toBe(2);
  expect(agent.output()).toMatch(/agent config: notesFolder: must be an absolute folder/);
  expect(agent.output()).toMatch(/spocSiteServer\.installDir: must be an absolute Windows path/);
  expect(agent.output()).toMatch(/pollMs: /);
}, 60_000);

test("an agent whose configuration names another machine exits with code 2 naming host and this machine, before connecting", async () => {
  const config = { host: 'spoc-lon-1', notesFolder: path.join(dir, 'notes'), spocSiteServer: { installDir: INSTALL_DIR }, emulatedWindowsDrives: path.join(dir, 'drives') };
  const agent = spawnAgent(config, path.join(dir, 'copied.json'), { address: '127.0.0.1:1', namespace: 'default' });
  agents.push(agent);
  expect(await agent.exited).toBe(2);
  expect(agent.output()).toContain(`agent config: host: "spoc-lon-1" is not this machine, whose name is "${os.hostname()}"`);
  expect(agent.output()).toContain('"machineNameCheck": {"skip": true');
}, 60_000);
