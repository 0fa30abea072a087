/**
 * The cluster-option procedure against simulated members: real member processes sharing a real
 * SQLite cluster database, real start scripts in install folders, and the production activities
 * (with their parsers) reading what the emulated jobscheduler.sh, jobscheduler.cmd and sc.exe
 * print. The machine itself decides the order: each effect it asks for is run by its activity and
 * answered with what the activity returned, exactly as the workflow runtime does, minus Temporal.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { initialTransition, transition } from 'xstate';
import { activityNameOf, doneEventType, nominalOutput, type Effect, type EffectOf } from '../../../machines/core/effects';
import { directivesOf } from '../../../machines/core/machine-directives';
import { planProcedure } from '../../../machines/core/plan';
import { setClusterOptionMachine, type SetClusterOptionOutput } from '../../../machines/jobscheduler/set-cluster-option';
import { setClusterOptionInputSchema, type SetClusterOptionInput } from '../../../machines/jobscheduler/set-cluster-option-input';
import { createSchedulerHostActivities, type SchedulerHostActivities } from '../../../activities/jobscheduler/scheduler-host-activities';
import { SimulatedSchedulerHost } from '../../../simulator/jobscheduler/scheduler-host';
import { createTestCluster, TIMING, waitUntil, type TestCluster } from '../../helpers/scheduler-cluster';

const UNIX_DIR = '/opt/sos-berlin.com/jobscheduler/production';
const WINDOWS_DIR = 'C:\\Program Files\\sos-berlin.com\\jobscheduler\\production';
const NEW_OPTIONS = '-exclusive -backup -backup-precedence=2';

const clusters: TestCluster[] = [];
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.cleanup()));
});

interface SimulatedCluster {
  c: TestCluster;
  primary: SimulatedSchedulerHost;
  backup: SimulatedSchedulerHost;
  /** The cluster definition as an operator writes it. */
  definition: { cluster: string; mode: 'passive'; heartbeat: { intervalSeconds: number; timeoutSeconds: number }; members: Record<string, string>[] };
  activities: SchedulerHostActivities;
}

/** A passive cluster of two simulated hosts, both members running, the primary active. */
async function passiveCluster(os: 'unix' | 'windows'): Promise<SimulatedCluster> {
  const c = createTestCluster();
  clusters.push(c);
  const installDir = os === 'unix' ? UNIX_DIR : WINDOWS_DIR;
  const member = (host: string, options: string) => ({ host, os, installDir, jobSchedulerId: 'production', database: c.databaseName, clusterOptions: options });
  const members = [member(`${os}-primary`, '-exclusive'), member(`${os}-backup`, '-exclusive -backup')];
  const [primary, backup] = members.map(
    (m) => new SimulatedSchedulerHost(c.simDir, c.fleet, { host: m.host, os, installDir, jobSchedulerId: m.jobSchedulerId, database: c.database, options: m.clusterOptions, timing: TIMING }),
  ) as [SimulatedSchedulerHost, SimulatedSchedulerHost];
  for (const host of [primary, backup]) await host.install();
  await Promise.all([primary.boot(), backup.boot()]);
  c.db.activate(primary.member, TIMING.heartbeatTimeoutMs);
  return {
    c,
    primary,
    backup,
    definition: { cluster: 'production', mode: 'passive', heartbeat: { intervalSeconds: 1, timeoutSeconds: 2 }, members },
    activities: createSchedulerHostActivities(backup.deps({ pollMs: 20 })),
  };
}

const inputFor = (s: SimulatedCluster, options = NEW_OPTIONS): SetClusterOptionInput =>
  setClusterOptionInputSchema.parse({ cluster: s.definition, host: s.backup.host, options, waits: { stopTimeoutSeconds: 30, startTimeoutSeconds: 30 } });

/** Runs one activity as Temporal would: in an activity context, first scheduled now. */
function runActivity(activities: SchedulerHostActivities, effect: Effect): Promise<unknown> {
  const fn = (activities as unknown as Record<string, (e: Effect) => Promise<unknown>>)[activityNameOf(effect.action)];
  if (!fn) throw new Error(`no activity for ${effect.action}`);
  return activityEnvironment().run(fn, effect);
}

function activityEnvironment(info: Record<string, unknown> = {}): MockActivityEnvironment {
  // Failures are asserted by the tests; the mock's warning about each is noise.
  return new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), ...info }, { logger: new DefaultLogger('ERROR') });
}

/** Runs the machine to its end, each effect by its activity; returns the output and the actions taken. */
async function runProcedure(activities: SchedulerHostActivities, input: SetClusterOptionInput): Promise<{ output: SetClusterOptionOutput; actions: string[] }> {
  let [snapshot, actions] = initialTransition(setClusterOptionMachine, input);
  const pending: Effect[] = [];
  const taken: string[] = [];
  const absorb = (acts: typeof actions) => pending.push(...directivesOf(acts).flatMap((d) => (d.kind === 'effect' ? [d.effect] : [])));
  absorb(actions);
  while (snapshot.status === 'active') {
    const effect = pending.shift();
    if (!effect) throw new Error(`the procedure waits in ${JSON.stringify(snapshot.value)} with nothing to run`);
    taken.push(effect.action);
    const output = await runActivity(activities, effect);
    [snapshot, actions] = transition(setClusterOptionMachine, snapshot, { type: doneEventType(effect.step), output });
    absorb(actions);
  }
  return { output: snapshot.output as SetClusterOptionOutput, actions: taken };
}

/** The member's registration in the cluster database. */
const registration = (s: SimulatedCluster) => s.c.db.member(s.backup.member);

/** The lines of a file, each with its own ending. */
const linesOf = (bytes: Buffer) => bytes.toString('latin1').split(/(?<=\n)/);

describe('a Unix backup of a passive cluster', () => {
  let s: SimulatedCluster;
  beforeAll(async () => {
    s = await passiveCluster('unix');
  });

  test('becomes -exclusive -backup -backup-precedence=2: the procedure takes the plan\'s steps, and the restarted process registers with the new precedence', async () => {
    const input = inputFor(s);
    const before = registration(s);
    expect(before).toMatchObject({ role: 'backup', backupPrecedence: 1, alive: true });
    const fileBefore = readFileSync(s.backup.startScriptFile());

    const { output, actions } = await runProcedure(s.activities, input);

    expect(actions).toEqual(planProcedure(setClusterOptionMachine, input).map((step) => step.action));
    expect(output).toMatchObject({
      outcome: 'completed',
      optionsBefore: '-exclusive -backup',
      runningWith: NEW_OPTIONS,
      applied: true,
      stoppedByProcedure: true,
      file: { path: `${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`, changed: true, lineBefore: 'SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup"', lineAfter: `SCHEDULER_CLUSTER_OPTIONS="${NEW_OPTIONS}"` },
    });
    const after = registration(s);
    expect(after).toMatchObject({ role: 'backup', backupPrecedence: 2, status: 'standby', alive: true, incarnation: (before?.incarnation ?? 0) + 1 });
    expect(after?.pid).not.toBe(before?.pid);
    // The old process ended normally (it marked itself terminated): no failover was due.
    expect(s.c.record().filter((e) => e.member === s.backup.member && e.operation === 'stop-member').map((e) => e.outcome)).toEqual(['terminated']);

    // Every other line of the start script is byte for byte what it was.
    const [was, now] = [linesOf(fileBefore), linesOf(readFileSync(s.backup.startScriptFile()))];
    expect(now).toHaveLength(was.length);
    const changed = now.map((line, i) => (line === was[i] ? null : i)).filter((i) => i !== null);
    expect(changed).toEqual([now.findIndex((line) => line.startsWith('SCHEDULER_CLUSTER_OPTIONS='))]);
  });

  test('run a second time, it leaves the member running: the preflight finds the options in force, nothing is stopped, the start script not even written', async () => {
    const file = s.backup.startScriptFile();
    const [bytes, stat] = [readFileSync(file), statSync(file)];
    const before = registration(s);
    const { output, actions } = await runProcedure(s.activities, inputFor(s));
    expect(actions).toEqual(['check-scheduler-member']);
    expect(output).toMatchObject({ outcome: 'completed', alreadySet: true, applied: true, runningWith: NEW_OPTIONS, stoppedByProcedure: false, file: null });
    expect(output.notes[0]).toMatch(/runs with -exclusive -backup -backup-precedence=2 already and its start script gives them: it was left running/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(statSync(file)).toMatchObject({ ino: stat.ino, mtimeMs: stat.mtimeMs });
    expect(registration(s)).toMatchObject({ role: 'backup', backupPrecedence: 2, alive: true, pid: before?.pid, incarnation: before?.incarnation });
  });

  test('each step repeated right after it took effect reports what it finds and does nothing', async () => {
    const input = inputFor(s);
    const effects = planEffects(input);
    const stop = effects.find((e): e is EffectOf<'stop-scheduler'> => e.action === 'stop-scheduler');
    const set = effects.find((e): e is EffectOf<'set-cluster-options'> => e.action === 'set-cluster-options');
    const start = effects.find((e): e is EffectOf<'start-scheduler'> => e.action === 'start-scheduler');
    if (!stop || !set || !start) throw new Error('the plan lacks a step');
    expect(await runActivity(s.activities, stop)).toEqual({ outcome: 'stopped' });
    expect(await runActivity(s.activities, stop)).toEqual({ outcome: 'already-stopped' });
    expect(registration(s)).toMatchObject({ status: 'terminated', alive: false });
    expect(await runActivity(s.activities, set)).toMatchObject({ changed: false });
    expect(await runActivity(s.activities, start)).toEqual({ outcome: 'started', options: NEW_OPTIONS, optionsSource: 'process' });
    const pid = registration(s)?.pid;
    expect(await runActivity(s.activities, start)).toEqual({ outcome: 'already-running', options: NEW_OPTIONS, optionsSource: 'process' });
    expect(registration(s)?.pid).toBe(pid);
  });

  test('a stop retried after its first attempt sent the stop reports the member stopped by this procedure, not found stopped', async () => {
    const stop = planEffects(inputFor(s)).find((e) => e.action === 'stop-scheduler');
    if (!stop) throw new Error('no plan');
    expect(await runActivity(s.activities, stop)).toEqual({ outcome: 'stopped' });
    // Temporal hands a retry the last heartbeat of the attempt before it.
    const retry = activityEnvironment({ attempt: 2, heartbeatDetails: 'stop-sent' });
    expect(await retry.run(s.activities.stopScheduler, stop)).toEqual({ outcome: 'stopped' });
    const start = planEffects(inputFor(s)).find((e) => e.action === 'start-scheduler');
    if (!start) throw new Error('no start');
    expect(await runActivity(s.activities, start)).toMatchObject({ outcome: 'started' });
  });

  test('a member already running with other options than its start script gives fails the start step, and is left running', async () => {
    const effects = planEffects(inputFor(s, '-exclusive -backup'));
    const set = effects.find((e) => e.action === 'set-cluster-options');
    const start = effects.find((e) => e.action === 'start-scheduler');
    if (!set || !start) throw new Error('the plan lacks a step');
    const pid = registration(s)?.pid;
    expect(await runActivity(s.activities, set)).toMatchObject({ changed: true });
    await expect(runActivity(s.activities, start)).rejects.toMatchObject({
      type: 'OptionsNotAppliedError',
      message: expect.stringContaining(`runs with "${NEW_OPTIONS}" (its process), but ${UNIX_DIR}/bin/jobscheduler_environment_variables.sh gives "-exclusive -backup". It was already running, started before the edit`),
    });
    expect(registration(s)).toMatchObject({ pid, backupPrecedence: 2, alive: true });
  });

  test('the preflight finds the install folder, its control script and its start script, and changes nothing', async () => {
    const preflight = planEffects(inputFor(s)).find((e) => e.action === 'check-scheduler-member');
    if (!preflight) throw new Error('no preflight in the plan');
    const pid = registration(s)?.pid;
    // The test before edited the start script under the running member: the two differ.
    expect(await runActivity(s.activities, preflight)).toEqual({
      installDir: UNIX_DIR,
      controlScript: `${UNIX_DIR}/bin/jobscheduler.sh`,
      startScript: `${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`,
      startScriptOptions: '-exclusive -backup',
      runningWith: NEW_OPTIONS,
    });
    expect(registration(s)).toMatchObject({ pid, alive: true });
  });

  test('a start script whose options cannot be read (two live lines) still passes the preflight: it just does not say them, and the runbook decides', async () => {
    const preflight = planEffects(inputFor(s)).find((e) => e.action === 'check-scheduler-member');
    if (!preflight) throw new Error('no preflight in the plan');
    const file = s.backup.startScriptFile();
    const bytes = readFileSync(file);
    try {
      writeFileSync(file, Buffer.concat([bytes, Buffer.from('SCHEDULER_CLUSTER_OPTIONS="-exclusive"\n', 'latin1')]));
      const answer = (await runActivity(s.activities, preflight)) as Record<string, unknown>;
      expect(answer).toMatchObject({ startScript: `${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`, runningWith: NEW_OPTIONS });
      expect(answer).not.toHaveProperty('startScriptOptions');
    } finally {
      writeFileSync(file, bytes);
    }
  });

  test('a missing start script or install folder fails the preflight, naming what is missing, and the procedure halts there with the member running', async () => {
    const script = s.backup.startScriptFile();
    const pid = registration(s)?.pid;
    const stopsBefore = s.c.record().filter((e) => e.operation === 'stop-member').length;
    renameSync(script, `${script}.away`);
    try {
      const input = inputFor(s);
      let [snapshot, actions] = initialTransition(setClusterOptionMachine, input);
      const [preflight] = directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
      expect(preflight?.action).toBe('check-scheduler-member');
      const failure = (await runActivity(s.activities, preflight as Effect).catch((e: unknown) => e)) as { type?: string; nonRetryable?: boolean; message: string };
      expect(failure).toMatchObject({ type: 'SchedulerMemberPreflightError', nonRetryable: true });
      expect(failure.message).toContain(`the start script ${UNIX_DIR}/bin/jobscheduler_environment_variables.sh does not exist`);
      expect(failure.message).toContain('nothing was stopped');
      [snapshot, actions] = transition(setClusterOptionMachine, snapshot, { type: `effect.failed.${preflight?.step}`, reason: failure.message });
      expect(snapshot.hasTag('halted')).toBe(true);
      expect(directivesOf(actions).filter((d) => d.kind === 'effect')).toEqual([]);

      const elsewhere = { ...(preflight as EffectOf<'check-scheduler-member'>), installDir: '/opt/sos-berlin.com/jobscheduler/typo' };
      await expect(runActivity(s.activities, elsewhere)).rejects.toMatchObject({
        type: 'SchedulerMemberPreflightError',
        message: expect.stringContaining('the install folder /opt/sos-berlin.com/jobscheduler/typo does not exist'),
      });
    } finally {
      renameSync(`${script}.away`, script);
    }
    expect(registration(s)).toMatchObject({ pid, alive: true });
    expect(s.c.record().filter((e) => e.operation === 'stop-member')).toHaveLength(stopsBefore);
  });

  test('a step for another host is refused before anything runs', async () => {
    const stop = planEffects(inputFor(s)).find((e) => e.action === 'stop-scheduler');
    if (!stop) throw new Error('no plan');
    await expect(runActivity(s.activities, { ...stop, host: s.primary.host })).rejects.toThrow(`this agent runs on ${s.backup.host}, not ${s.primary.host}: refusing to act for another host`);
    expect(registration(s)).toMatchObject({ alive: true });
  });

  test('Windows-only steps are refused for a Unix member', async () => {
    const stop = planEffects(inputFor(s)).find((e) => e.action === 'stop-scheduler');
    const remove = { ...stop, action: 'remove-scheduler-service' } as Effect;
    await expect(runActivity(s.activities, remove)).rejects.toThrow('runs on Unix, where JobScheduler has no Windows service to remove or install');
  });
});

describe('a Windows backup of a passive cluster', () => {
  let s: SimulatedCluster;
  beforeAll(async () => {
    s = await passiveCluster('windows');
  });

  test('its service runs the member with the options it was installed with', () => {
    expect(Object.keys(s.backup.services?.services() ?? {})).toEqual(['sos_scheduler_production_backup']);
    expect(registration(s)).toMatchObject({ role: 'backup', backupPrecedence: 1, alive: true });
  });

  test('changing the start script without removing and installing the service leaves the member on its old options; the start step says so', async () => {
    const effects = planEffects(inputFor(s));
    const byAction = (action: Effect['action']) => {
      const effect = effects.find((e) => e.action === action);
      if (!effect) throw new Error(`no ${action} in the plan`);
      return effect;
    };
    expect(await runActivity(s.activities, byAction('stop-scheduler'))).toEqual({ outcome: 'stopped' });
    expect(await runActivity(s.activities, byAction('set-cluster-options'))).toMatchObject({ changed: true, line: `set SCHEDULER_CLUSTER_OPTIONS=${NEW_OPTIONS}` });
    await expect(runActivity(s.activities, byAction('start-scheduler'))).rejects.toMatchObject({
      type: 'OptionsNotAppliedError',
      nonRetryable: true,
      message: expect.stringContaining('runs with "-exclusive -backup" (its service), but C:\\Program Files\\sos-berlin.com\\jobscheduler\\production\\bin\\jobscheduler_environment_variables.cmd gives "-exclusive -backup -backup-precedence=2"'),
    });
    await waitUntil('the restarted member registered', () => registration(s)?.alive === true && registration(s)?.status === 'standby');
    expect(registration(s)).toMatchObject({ role: 'backup', backupPrecedence: 1 });
    // Installing over it is refused too: the service was not removed before the edit.
    await expect(runActivity(s.activities, byAction('install-scheduler-service'))).rejects.toMatchObject({ type: 'SchedulerServiceOutdatedError' });
  });

  test("the runbook's order (stop, remove, edit, install, start) gives the member its new options", async () => {
    const input = inputFor(s);
    const { output, actions } = await runProcedure(s.activities, input);
    expect(actions).toEqual(['check-scheduler-member', 'stop-scheduler', 'remove-scheduler-service', 'set-cluster-options', 'install-scheduler-service', 'start-scheduler']);
    expect(actions).toEqual(planProcedure(setClusterOptionMachine, input).map((step) => step.action));
    // The edit was made by the test before; the procedure finds the line as wanted and leaves it.
    expect(output).toMatchObject({ outcome: 'completed', applied: true, runningWith: NEW_OPTIONS, file: { changed: false } });
    expect(registration(s)).toMatchObject({ role: 'backup', backupPrecedence: 2, alive: true });
    expect(s.backup.services?.services()).toMatchObject({ sos_scheduler_production_backup: { options: NEW_OPTIONS } });
  });

  test('back to the old options: the .cmd line is replaced in place, CRLF kept, every other line unchanged', async () => {
    const file = s.backup.startScriptFile();
    const before = readFileSync(file);
    const { output } = await runProcedure(s.activities, inputFor(s, '-exclusive -backup'));
    expect(output).toMatchObject({ applied: true, runningWith: '-exclusive -backup', file: { changed: true, lineBefore: `set SCHEDULER_CLUSTER_OPTIONS=${NEW_OPTIONS}`, lineAfter: 'set SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup' } });
    const [was, now] = [linesOf(before), linesOf(readFileSync(file))];
    expect(now.every((line) => line.endsWith('\r\n'))).toBe(true);
    expect(now.filter((line, i) => line !== was[i])).toEqual(['set SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup\r\n']);
    expect(registration(s)).toMatchObject({ backupPrecedence: 1, alive: true });
  });

  test('asked again for the options its service runs with and its start script gives, the member is left running: no stop, no remove, no install', async () => {
    const services = JSON.stringify(s.backup.services?.services());
    const pid = registration(s)?.pid;
    const { output, actions } = await runProcedure(s.activities, inputFor(s, '-exclusive -backup'));
    expect(actions).toEqual(['check-scheduler-member']);
    expect(output).toMatchObject({ alreadySet: true, applied: true, runningWith: '-exclusive -backup', stoppedByProcedure: false });
    expect(JSON.stringify(s.backup.services?.services())).toBe(services);
    expect(registration(s)).toMatchObject({ pid, alive: true });
  });

  test('an abort after the service was removed installs it again and starts the member', async () => {
    const input = inputFor(s);
    let [snapshot, actions] = initialTransition(setClusterOptionMachine, input);
    const pending = directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
    const answer = async () => {
      const effect = pending.shift();
      if (!effect) throw new Error('nothing to run');
      const output = await runActivity(s.activities, effect);
      [snapshot, actions] = transition(setClusterOptionMachine, snapshot, { type: doneEventType(effect.step), output });
      pending.push(...directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : [])));
      return effect.action;
    };
    expect([await answer(), await answer(), await answer()]).toEqual(['check-scheduler-member', 'stop-scheduler', 'remove-scheduler-service']);
    expect(s.backup.services?.services()).toEqual({});
    [snapshot, actions] = transition(setClusterOptionMachine, snapshot, { type: 'operator.abort', reason: 'maintenance window over' });
    pending.splice(0, pending.length, ...directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : [])));
    while (snapshot.status === 'active') await answer();
    expect(snapshot.output).toMatchObject({ outcome: 'aborted', abortRestart: 'started', runningWith: '-exclusive -backup', leftStopped: false, file: null });
    expect(registration(s)).toMatchObject({ backupPrecedence: 1, alive: true });
  });
});

/** The effects of the nominal run, in plan order (the machine on nominal answers). */
function planEffects(input: SetClusterOptionInput): Effect[] {
  const effects: Effect[] = [];
  let [snapshot, actions] = initialTransition(setClusterOptionMachine, input);
  for (let i = 0; i < 20 && snapshot.status === 'active'; i += 1) {
    const [effect] = directivesOf(actions).flatMap((d) => (d.kind === 'effect' ? [d.effect] : []));
    if (!effect) break;
    effects.push(effect);
    [snapshot, actions] = transition(setClusterOptionMachine, snapshot, { type: doneEventType(effect.step), output: nominalOutput(effect, new Date().toISOString()) });
  }
  return effects;
}
