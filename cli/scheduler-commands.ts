/**
 * `spoolflow scheduler ...`: look at and disturb the simulated JobScheduler clusters of a data
 * folder, also while `npm start` runs them. Everything is read from and done to what lives on
 * disk (the clusters' databases, the scheduler fleet's process records, the hosts' install
 * folders), so no Temporal server is needed; a supervisor's own view of its cluster is
 * `spoolflow status jobscheduler-cluster-<cluster>`.
 *
 *   spoolflow scheduler status [<cluster>]
 *   spoolflow scheduler kill|terminate|hang|resume|cut-off|reconnect|start <member>
 *   spoolflow scheduler record [--last <n>]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SchedulerClusterDb } from '../activities/jobscheduler/scheduler-cluster-db';
import type { MemberObservation, OrderStepRow } from '../activities/jobscheduler/scheduler-cluster-schema';
import { workflowIdFor } from '../client/spoolflow-client';
import { dataDir } from '../engine/data-dir';
import { jobSchedulerClusterSchema, type JobSchedulerCluster, type JobSchedulerMember } from '../machines/jobscheduler/jobscheduler-cluster-input';
import { sameName } from '../machines/core/names';
import { SchedulerFleet, type MemberProcessInfo } from '../simulator/jobscheduler/scheduler-fleet';
import { SimulatedSchedulerHost, simulatedHostConfigOf, type SimulatedSchedulerHostConfig } from '../simulator/jobscheduler/scheduler-host';
import { readSchedulerOperations, schedulerOperationsFile } from '../simulator/jobscheduler/scheduler-operation-record';
import { simClusterDatabase, simClusters } from '../simulator/jobscheduler/sim-clusters';
import { UsageError } from './errors';

export class SchedulerUsageError extends UsageError {}

/** How many lines `record` shows without `--last`. */
const DEFAULT_RECORD_LINES = 20;

/** Commands that act on one member, each with what it does. */
const MEMBER_COMMANDS = ['kill', 'terminate', 'hang', 'resume', 'cut-off', 'reconnect', 'start'] as const;
type MemberCommand = (typeof MEMBER_COMMANDS)[number];

/** What the member's process is doing, as the scheduler fleet knows it. */
type ProcessView = 'running' | 'hung' | 'not-running' | 'never-started';

interface Site {
  simDir: string;
  /** Detached: a member this CLI starts outlives it, as one its host started would. */
  fleet: SchedulerFleet;
  clusters: JobSchedulerCluster[];
}

function openSite(): Site {
  const simDir = path.join(dataDir(), 'sim');
  return { simDir, fleet: new SchedulerFleet(simDir, { detached: true }), clusters: simClusters(simDir).map((c) => jobSchedulerClusterSchema.parse(c.definition)) };
}

export async function schedulerCommand(args: string[], flags: Record<string, string | true>): Promise<unknown> {
  const [sub, name] = args;
  const site = openSite();
  if (sub === 'status') return { clusters: (name === undefined ? site.clusters : [clusterNamed(site, name)]).map((c) => clusterStatus(site, c)) };
  if (sub === 'record') return recordTail(site, flags.last);
  if (isMemberCommand(sub)) {
    if (name === undefined) throw new SchedulerUsageError(`scheduler ${sub} needs a member; ${knownMembers(site)}`);
    return memberCommand(site, sub, memberNamed(site, name));
  }
  throw new SchedulerUsageError(`${sub ? `unknown scheduler command "${sub}"` : 'scheduler needs a command'}: status, record, ${MEMBER_COMMANDS.join(', ')}`);
}

function isMemberCommand(sub: string | undefined): sub is MemberCommand {
  return (MEMBER_COMMANDS as readonly (string | undefined)[]).includes(sub);
}

async function memberCommand(site: Site, command: MemberCommand, { cluster, member }: { cluster: JobSchedulerCluster; member: JobSchedulerMember }): Promise<unknown> {
  const { fleet } = site;
  const id = member.host;
  const pid = () => processOf(fleet, id)?.pid ?? null;
  switch (command) {
    case 'kill': {
      const before = pid();
      return { member: id, pid: before, outcome: await fleet.kill(id) };
    }
    case 'terminate': {
      const before = pid();
      return { member: id, pid: before, outcome: await fleet.terminate(id) };
    }
    case 'hang':
      await fleet.hang(requireStarted(fleet, id));
      return { member: id, pid: pid(), process: processView(processOf(fleet, id)) };
    case 'resume':
      fleet.resume(requireStarted(fleet, id));
      return { member: id, pid: pid(), process: processView(processOf(fleet, id)) };
    case 'cut-off':
      fleet.cutOff(requireStarted(fleet, id));
      return { member: id, pid: pid(), cutOff: true };
    case 'reconnect':
      fleet.reconnect(id);
      return { member: id, pid: pid(), cutOff: false };
    case 'start':
      return startMember(site, cluster, member);
  }
}

/**
 * Starts the member as its host does at boot (start script on Unix, the installed service on
 * Windows), with the timings it ran with before, so it beats as often as its peers.
 */
async function startMember(site: Site, cluster: JobSchedulerCluster, member: JobSchedulerMember): Promise<unknown> {
  const previous = processOf(site.fleet, member.host);
  const host = new SimulatedSchedulerHost(site.simDir, site.fleet, simulatedHostConfigOf(member, previous?.timing ?? timingOf(cluster)));
  const startedBy = member.os === 'unix' ? 'jobscheduler.sh start' : `service ${Object.keys(host.services?.services() ?? {}).join(', ') || '(none installed)'}`;
  if (previous?.running) return { member: member.host, outcome: 'already-running', pid: previous.pid, options: previous.options, startedBy };
  if (!existsSync(host.startScriptFile())) {
    throw new Error(`${member.host} has no install folder under ${host.fsRoot}; npm start lays it out (and starts the member) the first time it runs`);
  }
  await host.boot();
  const now = processOf(site.fleet, member.host);
  return { member: member.host, outcome: 'started', pid: now?.pid ?? null, options: now?.options ?? null, startedBy };
}

/** A cluster's timings as `npm start` derives them, for a member whose process record does not say. */
function timingOf(cluster: JobSchedulerCluster): NonNullable<SimulatedSchedulerHostConfig['timing']> {
  const heartbeatMs = Math.round(cluster.heartbeat.intervalSeconds * 1000);
  return { heartbeatMs, jobIntervalMs: heartbeatMs, pollMs: heartbeatMs };
}

function requireStarted(fleet: SchedulerFleet, member: string): string {
  if (!processOf(fleet, member)) throw new Error(`${member} was never started in this data folder; start it with spoolflow scheduler start ${member} (or npm start)`);
  return member;
}

// ------------------------------------------------------------------------------ status

function clusterStatus(site: Site, cluster: JobSchedulerCluster): unknown {
  // The definition names the database by file name; the simulated clusters keep theirs in the sim folder.
  const database = simClusterDatabase(site.simDir, cluster.cluster);
  const supervisor = `spoolflow status ${workflowIdFor(`supervise-${cluster.mode}-cluster`, { cluster: { cluster: cluster.cluster } })}`;
  const heading = { cluster: cluster.cluster, mode: cluster.mode, database, supervisorView: supervisor };
  // Opening a database creates it: one that is not there yet is reported, not made.
  if (!existsSync(database)) {
    return { ...heading, started: false, note: 'no cluster database yet: npm start creates it and starts the members', members: cluster.members.map((m) => memberStatus(site.fleet, m, undefined, [], 0)) };
  }
  const db = new SchedulerClusterDb(database);
  try {
    const seen = db.observe(cluster.heartbeat.timeoutSeconds * 1000);
    const snapshot = db.snapshot();
    const observedAt = Date.parse(seen.observedAt);
    const inFlight = snapshot.orderSteps.filter((s) => s.status === 'assigned' || s.status === 'running');
    // A member in the database that the definition does not name (started by hand) is shown too.
    const extra = seen.members.filter((m) => !cluster.members.some((d) => d.host === m.member));
    return {
      ...heading,
      started: true,
      activeMember: seen.activeMember,
      epoch: seen.epoch,
      heartbeat: cluster.heartbeat,
      members: [
        ...cluster.members.map((m) => memberStatus(site.fleet, m, seen.members.find((o) => o.member === m.host), inFlight, observedAt)),
        ...extra.map((o) => memberStatus(site.fleet, undefined, o, inFlight, observedAt)),
      ],
      jobs: {
        byState: countBy(snapshot.jobs, (j) => j.state),
        stopped: snapshot.jobs.filter((j) => j.state !== 'active').map((j) => j.name),
      },
      jobChains: {
        byState: countBy(snapshot.jobChains, (c) => c.state),
        stopped: snapshot.jobChains.filter((c) => c.state !== 'active').map((c) => c.name),
        nodesNotActive: snapshot.jobChains.flatMap((c) => c.nodes.filter((n) => n.state !== 'active').map((n) => ({ chain: c.name, node: n.node, state: n.state }))),
      },
      orders: {
        byState: countBy(snapshot.orders, (o) => o.state),
        // Finished orders are only counted: a long run has many.
        open: snapshot.orders.filter((o) => o.state !== 'done').map((o) => ({ id: o.id, chain: o.chain, state: o.state, node: o.currentNode })),
      },
      stepsWithoutMember: snapshot.orderSteps.filter((s) => s.status === 'unassigned').map((s) => ({ order: s.order, step: s.step, attempt: s.attempt })),
    };
  } finally {
    db.close();
  }
}

function memberStatus(fleet: SchedulerFleet, defined: JobSchedulerMember | undefined, seen: MemberObservation | undefined, inFlight: OrderStepRow[], observedAt: number): unknown {
  const id = defined?.host ?? seen?.member ?? '';
  const proc = processOf(fleet, id);
  const definedOptions = defined?.clusterOptions;
  return {
    member: id,
    os: defined?.os ?? null,
    // What it registered with runs now; the definition says what it should run with.
    role: seen?.role ?? definedOptions?.role ?? null,
    backupPrecedence: seen ? seen.backupPrecedence : definedOptions?.role === 'backup' ? definedOptions.precedence : null,
    status: seen?.status ?? 'not-registered',
    statusReason: seen?.statusReason ?? null,
    alive: seen?.alive ?? false,
    heartbeatAgeMs: seen ? observedAt - Date.parse(seen.lastHeartbeatAt) : null,
    pid: proc?.pid ?? seen?.pid ?? null,
    process: processView(proc),
    cutOff: proc?.cutOff ?? false,
    options: proc?.options ?? null,
    stepsInFlight: inFlight.filter((s) => s.member === id).map((s) => ({ order: s.order, step: s.step, attempt: s.attempt, status: s.status })),
  };
}

function processView(proc: MemberProcessInfo | undefined): ProcessView {
  if (!proc) return 'never-started';
  if (!proc.running) return 'not-running';
  return proc.hung ? 'hung' : 'running';
}

function processOf(fleet: SchedulerFleet, member: string): MemberProcessInfo | undefined {
  return fleet.list().find((p) => p.member === member);
}

function countBy<T>(rows: T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

// ------------------------------------------------------------------------------ record

function recordTail(site: Site, last: string | true | undefined): unknown {
  const lines = last === undefined ? DEFAULT_RECORD_LINES : Number(last);
  if (!Number.isInteger(lines) || lines < 1) throw new SchedulerUsageError('scheduler record --last needs a whole number of lines, 1 or more');
  return readSchedulerOperations(schedulerOperationsFile(site.simDir)).slice(-lines);
}

// ------------------------------------------------------------------------------ names

function clusterNamed(site: Site, name: string): JobSchedulerCluster {
  const cluster = site.clusters.find((c) => sameName(c.cluster, name));
  if (!cluster) throw new SchedulerUsageError(`no simulated JobScheduler cluster "${name}"; the clusters are ${site.clusters.map((c) => c.cluster).join(', ')}`);
  return cluster;
}

function memberNamed(site: Site, name: string): { cluster: JobSchedulerCluster; member: JobSchedulerMember } {
  for (const cluster of site.clusters) {
    const member = cluster.members.find((m) => sameName(m.host, name));
    if (member) return { cluster, member };
  }
  throw new SchedulerUsageError(`no simulated JobScheduler member "${name}"; ${knownMembers(site)}`);
}

function knownMembers(site: Site): string {
  return `the members are ${site.clusters.map((c) => `${c.cluster}: ${c.members.map((m) => m.host).join(', ')}`).join('; ')}`;
}
