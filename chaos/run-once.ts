/**
 * One chaos run: a fresh simulated estate (its own data folder) on the shared dev server, the
 * procedures of chaos/procedures.ts started on it, then until they end, at seeded random moments:
 * kill -9 of the central worker, the host agents, the dev server or all of them (started again
 * after a moment), faults injected and cleared (a service that will not stop or start, a SPOC that
 * never comes ONLINE, a cache rescue that never finishes, the Management Server down). A halted
 * procedure gets its faults cleared and then an operator retry (or the group service's start, or
 * an abort). At the end the operation record, the hosts' state and the leases are checked.
 *
 * Beside them the simulated JobScheduler clusters (berlin passive, munich active) run under their
 * supervisors, with orders submitted to munich; in some runs the cluster option change of berlin's
 * js-berlin-3 runs as one more procedure, and a scheduler member may be killed (a crash the
 * supervisor fails over). These choices come from a stream of their own (`schedulerRng`), so a
 * seed's SPOC choices stay what they were. At the end the supervisors are aborted, the members
 * killed, and the clusters' operation record checked too. berlin gets orders in its database, and
 * every order submitted must have all its nodes run by the end.
 *
 * In some runs (a stream of its own) the SPOC procedures are one fleet rollout's children
 * (chaos/fleet-rollout-chaos.ts), whose own invariants are checked beside the hosts'.
 *
 * From streams of their own too: the SPOC scenarios beyond the plain procedures (load on a member
 * at the start, a slow host, an operator's abort while a procedure runs), and the systems beside
 * the procedures (chaos/chaos-system.ts: FlexiSpooler, spool cleaning, SAP spool), each started,
 * disturbed, calmed and judged by its own file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { readOperationRecord } from '../simulator/core/operation-record';
import { seededRandom } from '../simulator/core/sim-clock';
import { SimHostStateFile, type SimFaults } from '../simulator/spoc/sim-host-state';
import type { Inventory } from '../simulator/spoc/inventory';
import { statusQuery, type ProcedureStatus } from '../workflows/operator-messages';
import { testInventory } from '../test/helpers/sim-fleet';
import { GROUP_SERVICE, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../machines/spoc/spoc-services';
import { SchedulerFleet } from '../simulator/jobscheduler/scheduler-fleet';
import { readSchedulerOperations, schedulerOperationsFile } from '../simulator/jobscheduler/scheduler-operation-record';
import { simClusters } from '../simulator/jobscheduler/sim-clusters';
import { startSimSupervisors } from '../simulator/jobscheduler/sim-supervisors';
import { invariantBreaks, type InvariantBreak, type ProcedureOfRun } from './invariants';
import { clusterOptionChange, GROUP_PROCEDURES, groupProcedure, membershipScenario, MEMBERSHIP_SCENARIOS, standaloneOsRestart, type PlannedProcedure } from './procedures';
import { type ChaosStack, type KillKind, sleep } from './stack';
import { retrying, type ChaosSystem, type SystemName } from './chaos-system';
import { FlexiSpoolerChaos } from './flexispooler-chaos';
import { SapChaos } from './sap-chaos';
import { FleetRolloutChaos } from './fleet-rollout-chaos';
import { rolloutBreaks } from './fleet-rollout-invariants';
import { SpoolCleaningChaos } from './spool-cleaning-chaos';
import { systemOf } from './invariants';
import { SchedulerClusterDb } from '../activities/jobscheduler/scheduler-cluster-db';
import { simClusterDatabase } from '../simulator/jobscheduler/sim-clusters';

export interface RunReport {
  kills: Record<KillKind, number>;
  faults: number;
  retries: number;
  aborts: number;
  /** Procedures that ended after a kill while they ran. */
  resumed: number;
  /** Group (or standalone) and procedure, per procedure started. */
  procedures: string[];
  /** Lines in the SPOC hosts' operation record: what the invariants were checked over. */
  recordLines: number;
  /** Lines in the JobScheduler clusters' operation record, and the members killed (scheduler crashes). */
  schedulerLines: number;
  /** In that record: activations of a passive cluster's member, and order steps counted (what its invariants judged). */
  activations: number;
  orderSteps: number;
  memberKills: number;
  /** The SPOC scenarios beyond the plain procedures: an operator's abort of a running procedure, load on a member at the start (answered by an override or cleared), a slow host. */
  operatorAborts: number;
  loads: number;
  slowHosts: number;
  /** Faults of the systems beside the procedures, and what each did (for the run's line). */
  systemFaults: Partial<Record<SystemName, number>>;
  systems: string[];
  breaks: InvariantBreak[];
  breaksBySystem: Partial<Record<SystemName, number>>;
  /** The run's data folder, kept when an invariant broke (removed otherwise). */
  dataDir: string;
  seconds: number;
}

const KILL_KINDS: KillKind[] = ['worker', 'agents', 'server', 'stack'];
const RUN_LIMIT_MS = 240_000;

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

interface Tracked extends PlannedProcedure {
  ending?: string;
  output?: ProcedureOfRun['output'];
  killedWhileRunning: boolean;
  halts: number;
}

function faultFor(rng: Rng): SimFaults {
  const service = pick(rng, [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE, 'Dispatcher Paragon Mobile Print Server']);
  return pick<SimFaults>(rng, [{ services: { [service]: 'wont-stop' } }, { services: { [service]: 'wont-start' } }, { neverOnline: true }, { rescueNeverFinishes: true }]);
}

/** The random streams of a run: the SPOC choices, the clusters', and each later addition's own, so a seed's earlier choices stay what they were. */
export interface RunStreams {
  spoc: Rng;
  scheduler: Rng;
  /** The SPOC scenarios beyond the plain procedures. */
  scenarios: Rng;
  flexispooler: Rng;
  spoolcleaning: Rng;
  sap: Rng;
  /** Whether an SAP spool server is shut down in the run, which, and when. */
  sapShutdown: Rng;
  /** Whether the SPOC procedures start through a fleet rollout, and its limits and operator. */
  fleet: Rng;
  /** Whether a membership scenario (a SPOC added, removed, moved, ...) runs in place of plain procedures, and which. */
  membership: Rng;
}

/** The ending of a rollout's unit that the rollout never started (its failure budget was spent). */
const NOT_STARTED = 'not started by the rollout';

/** Orders submitted to berlin's database each run: its chain has three nodes. */
const BERLIN_ORDERS = 2;

export async function runOnce(stack: ChaosStack, streams: RunStreams, runTag: string, log: (line: string) => void): Promise<RunReport> {
  const { spoc: rng, scheduler: schedulerRng, scenarios } = streams;
  const startedAt = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-chaos-'));
  const inventory: Inventory = testInventory();
  const inventoryFile = path.join(dataDir, 'inventory.json');
  writeFileSync(inventoryFile, JSON.stringify(inventory));
  const simDir = path.join(dataDir, 'sim');
  const fleetFile = path.join(simDir, 'fleet.json');
  const setManagementServerDown = (down: boolean) => writeFileSync(fleetFile, JSON.stringify({ managementServerDown: down }));

  // In some runs the SPOC procedures are a fleet rollout's children: the same procedures, started by it.
  const byRollout = streams.fleet() < 0.4;
  // In some others a membership scenario takes the groups (and standalone SPOCs) it changes: the
  // plain procedures' choices are drawn all the same, so a seed's other choices stay what they were.
  const scenario = !byRollout && streams.membership() < 0.5 ? membershipScenario(inventory, pick(streams.membership, MEMBERSHIP_SCENARIOS), runTag) : undefined;
  const groupChoices = inventory.groups.map((g) => groupProcedure(inventory, g.name, pick(rng, GROUP_PROCEDURES), runTag));
  const standaloneChoice = rng() < 0.5 ? [standaloneOsRestart(inventory, runTag)] : [];
  const planned = [
    ...groupChoices.filter((p) => !scenario?.groups.some((g) => p.workflowId.endsWith(`-${g}`))),
    ...(scenario ? [scenario.procedure] : []),
    ...standaloneChoice.filter((p) => !scenario?.standalone.some((h) => p.hosts.includes(h))),
    ...(schedulerRng() < 0.5 ? [clusterOptionChange(simDir, runTag)] : []),
  ];
  const rollout = byRollout ? new FleetRolloutChaos(inventory, planned, streams.fleet, runTag, log) : undefined;
  const tracked: Tracked[] = (rollout ? rollout.procedures(planned) : planned).map((p) => ({ ...p, killedWhileRunning: false, halts: 0 }));
  const report: RunReport = { kills: { worker: 0, agents: 0, server: 0, stack: 0 }, faults: 0, retries: 0, aborts: 0, resumed: 0, procedures: planned.map((p) => `${p.workflowId.split('-').pop() ?? ''} ${p.procedureId}`), recordLines: 0, schedulerLines: 0, activations: 0, orderSteps: 0, memberKills: 0, operatorAborts: 0, loads: 0, slowHosts: 0, systemFaults: {}, systems: [], breaks: [], breaksBySystem: {}, dataDir, seconds: 0 };
  /** Hosts with a fault now, and when it goes away by itself (unless a halt has it cleared first). */
  const faulted = new Map<string, number>();
  let msDown = false;
  let msBackAt = 0;
  const FAULTS_PER_RUN = 6;

  // The spool cleaning seeds its spoolers before the agents start (they serve the spoolers that exist).
  const systems: ChaosSystem[] = [
    new FlexiSpoolerChaos(() => stack.client, () => stack.spoolflow, simDir, runTag, streams.flexispooler, log),
    new SpoolCleaningChaos(() => stack.client, simDir, streams.spoolcleaning, log),
    new SapChaos(() => stack.client, simDir, runTag, streams.sap, streams.sapShutdown, log),
  ];
  stack.startParts({ dataDir, inventoryFile });
  // The hosts' state files exist once the agents process started: wait, so the run starts on a whole estate.
  await until(() => inventory.siteServers.every((s) => new SimHostStateFile(path.join(simDir, 'hosts', s.host)).load() !== undefined), 60_000);
  // And every scheduler member booted; then the supervisors, so each cluster has an active member.
  const clusters = simClusters();
  const members = clusters.flatMap((c) => c.definition.members.map((m) => m.host));
  const schedulers = new SchedulerFleet(simDir);
  await until(() => schedulers.list().filter((m) => m.running).length === members.length, 60_000);
  const supervisors = (await startSimSupervisors(stack.client, clusters, simDir, log)).filter((s) => s.outcome === 'started' || s.outcome === 'already-running').map((s) => s.workflowId);
  const munich = supervisors.find((id) => id.endsWith('munich'));
  for (let i = 1; munich && i <= 2; i++) await retrying(() => stack.spoolflow.command(munich, { type: 'operator.submitOrder', chain: 'etl', order: `chaos-${runTag}-${i}`, operator: 'chaos' } as never));
  // berlin's orders go into its database, as its users add them: the active member runs them, a failover's successor goes on with them.
  const berlinOrders = Array.from({ length: BERLIN_ORDERS }, (_, i) => `chaos-${runTag}-invoices-${i + 1}`);
  submitBerlinOrders(simDir, berlinOrders);
  const submittedOrders = [...berlinOrders, ...(munich ? [1, 2].map((i) => `chaos-${runTag}-${i}`) : [])].map((order) => ({ order, steps: 3 }));
  // Load on a member at the start (users still printing): the load check halts, the operator overrides it or it goes.
  const loaded = scenarios() < 0.3 ? pick(scenarios, tracked.filter((p) => p.oneAtATime !== undefined || p.deletesCache).flatMap((p) => p.hosts)) : undefined;
  let loadGoneAt = 0;
  if (loaded && stack.setLoad(loaded, 3)) {
    report.loads += 1;
    loadGoneAt = Date.now() + 4000 + scenarios() * 10_000;
    log(`  load on ${loaded} until ${Math.round((loadGoneAt - Date.now()) / 1000)} s from now`);
  }
  if (rollout) await rollout.start(stack.client);
  for (const p of tracked.filter((t) => !rollout?.owns(t))) await retrying(() => stack.spoolflow.start(p.procedureId, p.input, { workflowId: p.workflowId }));
  for (const system of systems) await system.start().catch((err: unknown) => log(`  ${system.name} did not start: ${err instanceof Error ? err.message : String(err)}`));

  const clearFaults = (hosts: string[]) => {
    for (const host of hosts.filter((h) => faulted.has(h))) if (stack.setFaults(host, {})) faulted.delete(host);
    if (msDown) setManagementServerDown((msDown = false));
  };
  const clearExpired = () => {
    for (const [host, until] of faulted) if (Date.now() >= until && stack.setFaults(host, {})) faulted.delete(host);
    if (msDown && Date.now() >= msBackAt) setManagementServerDown((msDown = false));
  };
  const maxKills = 1 + Math.floor(rng() * 3);
  let kills = 0;
  let nextChaosAt = Date.now() + 1000 + rng() * 4000;
  // A scheduler crash: the primary of berlin (active from the start) or a member of munich, once a run at most.
  const memberToKill = schedulerRng() < 0.5 ? pick(schedulerRng, ['js-berlin-1', 'js-munich-1', 'js-munich-2']) : undefined;

  while ((tracked.some((p) => p.ending === undefined) || (rollout !== undefined && rollout.ending === undefined)) && Date.now() - startedAt < RUN_LIMIT_MS) {
    await sleep(300);
    clearExpired();
    if (loaded && loadGoneAt > 0 && Date.now() >= loadGoneAt && stack.setLoad(loaded, 0)) loadGoneAt = 0;
    await rollout?.tick(stack.client);
    for (const p of tracked.filter((t) => t.ending === undefined)) {
      if (rollout?.owns(p) && !(await startedByRollout(stack, rollout, p))) continue;
      await observe(stack, p, report, clearFaults, log);
    }
    for (const system of systems) await system.tick().catch(() => undefined);
    if (Date.now() < nextChaosAt) continue;
    nextChaosAt = Date.now() + 1000 + rng() * 5000;
    const running = tracked.filter((p) => p.ending === undefined);
    await scenarioEvent(stack, scenarios, running, faulted, report, log);
    // At the first chaos event, so the supervisor's failover happens while the run goes on.
    if (memberToKill && report.memberKills === 0 && stack.killMember(memberToKill)) {
      report.memberKills += 1;
      log(`  kill -9 scheduler member ${memberToKill}`);
    }
    // The SPOC faults go to the SPOC procedures' hosts only (the agents process knows no scheduler host's state).
    const spocRunning = running.filter((p) => p.member === undefined);
    const roll = rng();
    // Every run has at least one kill (its first chaos event); then a third of the events are kills.
    if ((roll < 0.35 || kills === 0) && kills < maxKills) {
      const kind = pick(rng, KILL_KINDS);
      kills += 1;
      report.kills[kind] += 1;
      for (const p of running) p.killedWhileRunning = true;
      const downMs = 200 + Math.floor(rng() * 2500);
      log(`  kill -9 ${kind}, down ${downMs} ms`);
      await stack.kill(kind, downMs);
    } else if (roll < 0.75 && spocRunning.length > 0 && report.faults < FAULTS_PER_RUN) {
      const host = pick(rng, pick(rng, spocRunning).hosts);
      const fault = faultFor(rng);
      const lastsMs = 3000 + rng() * 15_000;
      if (stack.setFaults(host, fault)) {
        faulted.set(host, Date.now() + lastsMs);
        report.faults += 1;
        log(`  fault on ${host} for ${Math.round(lastsMs / 1000)} s: ${JSON.stringify(fault)}`);
      }
    } else if (roll < 0.85 && !msDown && report.faults < FAULTS_PER_RUN) {
      setManagementServerDown((msDown = true));
      msBackAt = Date.now() + 2000 + rng() * 10_000;
      report.faults += 1;
      log('  fault: Management Server down');
    } else {
      clearFaults([...faulted.keys()]);
    }
  }
  clearFaults([...faulted.keys()]);
  await rollout?.terminate(stack.client);
  for (const p of tracked.filter((t) => t.ending === undefined)) {
    p.ending = 'still running at the run limit';
    // Ended here so its leases do not refuse the next run's procedures: the break is reported.
    await retrying(() => stack.client.workflow.getHandle(p.workflowId).terminate('chaos run limit'), 10).catch(() => undefined);
  }

  // The clusters get a moment to finish: their orders (a step takes 2 s), berlin's failover after a kill of its primary.
  const settled = () => {
    const r = readSchedulerOperations(schedulerOperationsFile(simDir));
    const steps = r.filter((e) => e.operation === 'run-step' && e.outcome === 'done').length;
    const failedOver = memberToKill !== 'js-berlin-1' || report.memberKills === 0 || r.filter((e) => e.operation === 'activate-member' && e.outcome === 'activated').length > 1;
    const ordersDone = submittedOrders.every(({ order, steps: n }) => new Set(r.filter((e) => e.order === order && e.step !== undefined && (e.outcome === 'ran' || e.outcome === 'skipped' || (e.operation === 'run-step' && e.outcome === 'done'))).map((e) => e.step)).size >= n);
    return steps >= 2 * 3 && failedOver && ordersDone;
  };
  // The systems beside the procedures get their calm at the same time.
  const calm = Promise.all(systems.map((s) => s.settle().catch((err: unknown) => log(`  ${s.name} did not settle: ${err instanceof Error ? err.message : String(err)}`))));
  await until(settled, 30_000).catch(() => log('  the clusters did not settle within 30 s (checked as they are)'));
  await calm;
  const systemBreaks: InvariantBreak[] = [];
  for (const system of systems) {
    systemBreaks.push(...(await system.finish().catch((err: unknown) => [{ invariant: 'system-not-judged' as const, system: system.name, detail: `${system.name} could not be judged: ${err instanceof Error ? err.message : String(err)}` }])));
    report.systemFaults[system.name] = system.faults;
    report.systems.push(system.summary());
  }
  await stopSupervisors(stack, supervisors);
  const leasesHeld = await leasesStillHeld(stack);
  const rolloutObserved = rollout ? await rollout.observed(stack.client, new Map(tracked.map((p) => [p.workflowId, p.ending]))) : undefined;
  if (rollout) report.systems.push(rollout.describe());
  // Services a procedure started come up in simulated seconds (a quarter second here): let them.
  await sleep(1500);
  await stack.stopParts();
  const schedulerRecord = readSchedulerOperations(schedulerOperationsFile(simDir));
  await stack.killMembers();
  const record = readOperationRecord(path.join(simDir, 'operations.jsonl'));
  const servicesAfter = Object.fromEntries(
    inventory.siteServers.map((s) => {
      const state = new SimHostStateFile(path.join(simDir, 'hosts', s.host)).load();
      return [s.host, Object.fromEntries(s.services.map((svc) => [svc.display, state?.services[svc.key] ?? 'MISSING']))];
    }),
  );
  const runningBefore = Object.fromEntries(inventory.siteServers.map((s) => [s.host, s.services.map((svc) => svc.display)]));
  // A unit the rollout never started did nothing: the rollout's own invariants judge that it was right not to.
  const ran = tracked.filter((p) => p.ending !== NOT_STARTED);
  report.breaks = invariantBreaks({ record, procedures: ran.map((p) => ({ ...p, ending: p.ending ?? 'unknown' })), runningBefore, servicesAfter, leasesHeld,
    schedulerRecord,
    passiveMembers: clusters.filter((c) => c.definition.mode === 'passive').flatMap((c) => c.definition.members.map((m) => m.host)),
    submittedOrders,
  });
  report.breaks.push(...systemBreaks);
  if (rolloutObserved) report.breaks.push(...rolloutBreaks(rolloutObserved));
  for (const b of report.breaks) {
    const system = b.system ?? systemOf(b.invariant);
    report.breaksBySystem[system] = (report.breaksBySystem[system] ?? 0) + 1;
  }
  report.recordLines = record.length;
  report.schedulerLines = schedulerRecord.length;
  report.activations = schedulerRecord.filter((e) => e.operation === 'activate-member' && e.outcome === 'activated').length;
  report.orderSteps = schedulerRecord.filter((e) => e.step !== undefined && (e.outcome === 'done' || e.outcome === 'ran' || e.outcome === 'skipped')).length;
  if (report.breaks.length === 0) rmSync(dataDir, { recursive: true, force: true });
  report.resumed = tracked.filter((p) => p.killedWhileRunning && (p.ending === 'completed' || p.ending === 'aborted')).length;
  report.seconds = (Date.now() - startedAt) / 1000;
  return report;
}

/**
 * Whether a rollout's child has started in this run, so the run can look at it; one the rollout
 * ended without starting ends as not started. Unknown (the server is down): not yet.
 */
async function startedByRollout(stack: ChaosStack, rollout: FleetRolloutChaos, p: Tracked): Promise<boolean> {
  try {
    if (await rollout.startedInThisRun(stack.client, p.workflowId)) return true;
    if (rollout.ending !== undefined) p.ending = NOT_STARTED;
    return false;
  } catch {
    return false;
  }
}

/** One look at a running procedure: its ending when it ended, the operator's answer when it halted. */
async function observe(stack: ChaosStack, p: Tracked, report: RunReport, clearFaults: (hosts: string[]) => void, log: (line: string) => void): Promise<void> {
  try {
    const handle = stack.client.workflow.getHandle(p.workflowId);
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      p.ending = await endingOf(stack, p);
      log(`  ${p.workflowId} ${p.ending}`);
      return;
    }
    const status: ProcedureStatus = await handle.query(statusQuery);
    if (status.status !== 'halted') return;
    p.halts += 1;
    clearFaults(p.hosts);
    // Decided by the procedure and its halt count, not the run's stream: how often the loop looks
    // depends on timing, and the kills and faults should replay alike.
    const abort = p.halts > 4 || seededRandom(hashOf(`${p.workflowId}#${p.halts}`))() < 0.15;
    const wanted = abort
      ? 'operator.abort'
      : status.accepts.includes('operator.startGroupService') && /group service/i.test(`${status.halt?.title ?? ''} ${status.halt?.reason ?? ''}`)
        ? 'operator.startGroupService'
        : 'operator.retry';
    // Where the wanted command is not taken now (an abort's own restore step halted), the next one that is.
    const command = [wanted, 'operator.retry', 'operator.skip', 'operator.abort'].find((c) => status.accepts.includes(c));
    if (!command) return;
    // The load check halted: the operator overrides it half the time, else the users finish (the load goes) and the check runs again.
    if (!abort && status.accepts.includes('operator.overrideLoad')) {
      const override = seededRandom(hashOf(`${p.workflowId}#load#${p.halts}`))() < 0.5;
      if (!override) for (const host of p.hosts) stack.setLoad(host, 0);
      const answer = override ? 'operator.overrideLoad' : 'operator.retry';
      log(`  ${p.workflowId} halted at ${status.step} (load): ${answer}`);
      await stack.spoolflow.command(p.workflowId, { type: answer, operator: 'chaos', reason: 'the jobs on it are the test load' } as never);
      report.retries += 1;
      return;
    }
    // After an OS restart, a service Windows did not start at the boot (its fault cleared now) is the
    // operator's to start by hand before the retry, as the runbook says; a procedure's own starts are not.
    const notUp = /(Dispatcher Paragon [A-Za-z ]+?) on (\S+) did not reach RUNNING/.exec(status.halt?.reason ?? '');
    if (p.restartsOs && notUp?.[1] && notUp[2] && command === 'operator.retry') {
      stack.startByHand(notUp[2], notUp[1]);
      await sleep(500);
    }
    log(`  ${p.workflowId} halted at ${status.step} (${status.halt?.reason.slice(0, 100) ?? ''}): ${command}`);
    await stack.spoolflow.command(p.workflowId, { type: command, operator: 'chaos', reason: 'fault cleared' } as never);
    if (command === 'operator.abort') report.aborts += 1;
    else report.retries += 1;
  } catch {
    // The server or the worker is down, or the status moved on: look again next time.
  }
}

async function endingOf(stack: ChaosStack, p: Tracked): Promise<string> {
  try {
    const output = (await stack.client.workflow.getHandle(p.workflowId).result()) as { outcome: string; leftStopped: Record<string, string[]>; couldNotStart: Record<string, { service: string }[]> };
    p.output = output;
    return output.outcome;
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? (err.cause as { message?: string } | undefined) : undefined;
    return `failed: ${cause?.message ?? (err instanceof Error ? err.message : String(err))}`;
  }
}

/**
 * The operator's abort of each cluster supervisor, which then releases its supervision lease; one
 * that has not ended within 30 s is terminated, so the next run can start its own (same id).
 */
async function stopSupervisors(stack: ChaosStack, workflowIds: string[]): Promise<void> {
  for (const id of workflowIds) {
    await retrying(() => stack.spoolflow.command(id, { type: 'operator.abort', operator: 'chaos', reason: 'run over' } as never), 20).catch(() => undefined);
  }
  for (const id of workflowIds) {
    const ended = await retrying(async () => {
      const d = await stack.client.workflow.getHandle(id).describe();
      if (d.status.name === 'RUNNING') throw new Error(`${id} still running`);
    }, 60).then(
      () => true,
      () => false,
    );
    if (!ended) await retrying(() => stack.client.workflow.getHandle(id).terminate('chaos run over'), 10).catch(() => undefined);
  }
}

/** Lease workflows still running once the procedures ended; each watches its holder every 2 s, so they get a few seconds. */
async function leasesStillHeld(stack: ChaosStack): Promise<string[]> {
  let held: string[] = [];
  for (let attempt = 0; attempt < 20; attempt++) {
    held = await retrying(async () => {
      const ids: string[] = [];
      for await (const w of stack.client.workflow.list({ query: "WorkflowId STARTS_WITH 'spoolflow-lease:' AND ExecutionStatus = 'Running'" })) ids.push(w.workflowId);
      return ids;
    });
    if (held.length === 0) return held;
    await sleep(1000);
  }
  return held;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`the simulated estate did not come up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function hashOf(text: string): number {
  let h = 0;
  for (const ch of text) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h >>> 0;
}

/** berlin's orders, added to its cluster database (the chain `invoices`, three nodes) as its users would. */
function submitBerlinOrders(simDir: string, orders: string[]): void {
  const db = new SchedulerClusterDb(simClusterDatabase(simDir, 'berlin'));
  try {
    for (const order of orders) db.submitOrder('invoices', order);
  } finally {
    db.close();
  }
}

/**
 * The SPOC scenarios beyond the plain procedures, from their own stream: once a run at most, an
 * operator's abort of a procedure while it runs (not halted: the abort restores what it stopped);
 * now and then a host gets slow (every simulated duration three times as long) for a while.
 */
async function scenarioEvent(stack: ChaosStack, rng: Rng, running: Tracked[], faulted: Map<string, number>, report: RunReport, log: (line: string) => void): Promise<void> {
  const roll = rng();
  const spoc = running.filter((p) => p.member === undefined);
  if (roll < 0.08 && report.operatorAborts === 0 && spoc.length > 0) {
    const p = pick(rng, spoc);
    try {
      await stack.spoolflow.command(p.workflowId, { type: 'operator.abort', operator: 'chaos', reason: 'maintenance window over' } as never);
      report.operatorAborts += 1;
      log(`  ${p.workflowId}: operator aborts it while it runs`);
    } catch {
      // Refused (it ended meanwhile) or the server is down: no abort this run.
    }
  } else if (roll < 0.2 && spoc.length > 0 && report.slowHosts < 2) {
    const host = pick(rng, pick(rng, spoc).hosts);
    if (faulted.has(host) || !stack.setFaults(host, { slowFactor: 3 })) return;
    faulted.set(host, Date.now() + 5000 + rng() * 10_000);
    report.slowHosts += 1;
    log(`  ${host} slow (every duration three times as long)`);
  }
}
