/**
 * One simulated JobScheduler cluster member, run as its own OS process so it can be terminated
 * (SIGTERM), killed (SIGKILL) and frozen (SIGSTOP) like a real one:
 *
 *   node --require tsx/cjs simulator/jobscheduler/member-process.ts --database=<file> --member=<id>
 *     --host=<host> --cluster-options="-exclusive -backup" --sim-dir=<data dir>/sim
 *     [--heartbeat-ms=1000 --job-interval-ms=1000 --step-ms=1000 --poll-ms=1000]
 *
 * It registers in the cluster database and heartbeats. In a passive cluster it acts only while
 * the database names it the active member, with the epoch it was activated at: every turn it runs
 * its jobs and moves each order one node on. In an active cluster it runs the order steps given to
 * it, each taking `stepMs`. Whenever the database refuses a write (it was fenced, or someone else
 * was activated), it stops acting and says so in the operation record.
 *
 * Once registered it records its start (`start-member`) itself, whoever started it.
 * SIGTERM is a normal termination: it marks itself terminated and exits 0. While the member's
 * cut-off file exists, every database access fails: it keeps running but cannot heartbeat, and a
 * step result it could not deliver is delivered (or refused) once it is reconnected. When its hang
 * file appears it freezes itself with SIGSTOP and goes on where it stopped on SIGCONT.
 */
import { existsSync } from 'node:fs';
import { FencedWriteError, MemberClusterDb, type ActiveToken, type MemberToken, type MemberView } from './member-cluster-db';
import { parseClusterOptions, type SchedulerRole } from '../../activities/jobscheduler/scheduler-cluster-options';
import { parseMemberArgv, type MemberArgs } from './member-args';
import { memberFiles } from './member-files';
import { SchedulerOperationRecord, schedulerOperationsFile } from './scheduler-operation-record';

class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

interface StepInHand {
  order: string;
  step: number;
  attempt: number;
  /** Set when the step's time is up: the result waits to be delivered. */
  result?: string;
}

class SimulatedMember {
  private readonly db: MemberClusterDb;
  private readonly record: SchedulerOperationRecord;
  private readonly cutOffFile: string;
  private readonly hangFile: string;
  private readonly role: SchedulerRole;
  private token: MemberToken | undefined;
  /** Passive cluster: set while this member is the active member, with its epoch. */
  private acting: ActiveToken | undefined;
  /** Active cluster: false once a write was refused because the member is fenced. */
  private mayRunSteps = true;
  private readonly steps = new Map<string, StepInHand>();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly args: MemberArgs) {
    this.role = parseClusterOptions(args.options).role;
    this.db = new MemberClusterDb(args.database);
    this.record = new SchedulerOperationRecord(schedulerOperationsFile(args.simDir));
    const files = memberFiles(args.simDir, args.member);
    this.cutOffFile = files.cutOffFile;
    this.hangFile = files.hangFile;
  }

  async start(): Promise<void> {
    while (!this.token) {
      try {
        const { incarnation } = this.reach().register({ member: this.args.member, host: this.args.host, pid: process.pid, options: this.args.options });
        this.token = { member: this.args.member, incarnation };
      } catch (err) {
        if (!(err instanceof DatabaseUnreachableError)) throw err;
        await new Promise((r) => setTimeout(r, this.args.heartbeatMs));
      }
    }
    // The member records its own start, as it records its own termination: a starter killed while it
    // waited for the registration (the agents process in a chaos run, seed 9010) would leave a member
    // that runs with no start in the record.
    this.record.append({ host: this.args.host, operation: 'start-member', member: this.args.member, pid: process.pid, target: this.args.options, outcome: 'started' });
    this.say(`registered as ${this.role} (${this.args.options}), incarnation ${this.token.incarnation}`);
    this.timers.push(setInterval(() => this.guard(() => this.beat()), this.args.heartbeatMs));
    if (this.role === 'distributed') {
      this.timers.push(setInterval(() => this.guard(() => this.takeSteps()), this.args.pollMs));
    } else {
      this.timers.push(setInterval(() => this.guard(() => this.runTurn()), this.args.jobIntervalMs));
    }
    this.beat();
  }

  /** Normal termination (SIGTERM). */
  terminate(): void {
    for (const timer of this.timers) clearInterval(timer);
    let outcome = 'terminated';
    try {
      if (this.token) this.reach().markTerminated(this.token);
    } catch (err) {
      outcome = err instanceof DatabaseUnreachableError ? 'terminated-database-unreachable' : `terminated-${(err as Error).name}`;
    }
    this.record.append({ host: this.args.host, operation: 'stop-member', member: this.args.member, pid: process.pid, outcome });
    this.say(`normal termination (${outcome})`);
    this.db.close();
    process.exit(0);
  }

  /** The database, unless the member is cut off from it. */
  private reach(): MemberClusterDb {
    if (existsSync(this.cutOffFile)) throw new DatabaseUnreachableError(`${this.args.member} cannot reach the cluster database`);
    return this.db;
  }

  /**
   * A hang is injected here, between two database accesses: a process frozen inside a
   * transaction would hold SQLite's write lock and stall every other member, which a hung
   * JobScheduler does not do to its database server.
   */
  private freezeIfHung(): void {
    if (existsSync(this.hangFile)) process.kill(process.pid, 'SIGSTOP');
  }

  private guard(fn: () => void): void {
    this.freezeIfHung();
    try {
      fn();
    } catch (err) {
      if (err instanceof DatabaseUnreachableError) return;
      if (err instanceof FencedWriteError && err.reason === 'superseded-incarnation') {
        this.say(`${err.message}; another process runs as ${this.args.member}: exiting`);
        process.exit(3);
      }
      this.say(`error: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private beat(): void {
    if (!this.token) return;
    const view = this.reach().heartbeat(this.token);
    if (this.role === 'distributed') {
      if (view.status !== 'active' && this.mayRunSteps) this.stopActing(`${view.status}`);
      return;
    }
    this.followActivation(view);
  }

  /** Passive cluster: act at the epoch the database names this member active, and only then. */
  private followActivation(view: MemberView): void {
    if (!this.token) return;
    const activeHere = view.status === 'active' && view.activeMember === this.args.member;
    if (activeHere && this.acting?.epoch !== view.epoch) {
      this.acting = { ...this.token, epoch: view.epoch };
      this.say(`active member at epoch ${view.epoch}`);
    } else if (!activeHere && this.acting) {
      this.stopActing(view.status === 'fenced' ? 'fenced' : `the active member is ${view.activeMember ?? 'nobody'} at epoch ${view.epoch}`);
    }
  }

  private stopActing(reason: string): void {
    this.acting = undefined;
    this.mayRunSteps = false;
    this.record.append({ host: this.args.host, operation: 'stop-acting', member: this.args.member, pid: process.pid, outcome: 'stopped', reason });
    this.say(`stopped acting: ${reason}`);
  }

  /**
   * A refused write is recorded. A step given to another member meanwhile concerns that step only;
   * any other refusal means the member has lost its right to act, so it stops.
   */
  private refused(err: FencedWriteError, entry: { operation: 'run-job' | 'run-step'; target: string; order?: string; step?: number; attempt?: number; epoch?: number }): void {
    this.record.append({ host: this.args.host, member: this.args.member, pid: process.pid, ...entry, outcome: 'refused', reason: err.reason });
    const onlyThisStep = err.reason === 'attempt-superseded';
    if (!onlyThisStep && (this.acting || this.mayRunSteps)) this.stopActing(err.reason);
  }

  /** Passive cluster, active member: every job of no chain runs once, every order moves one node on. */
  private runTurn(): void {
    const acting = this.acting;
    if (!acting) return;
    const db = this.reach();
    const work = db.passiveWork();
    try {
      for (const job of work.jobs) {
        if (db.runJob(acting, job) === 'ran') {
          this.record.append({ host: this.args.host, operation: 'run-job', member: this.args.member, target: job, epoch: acting.epoch, outcome: 'ran' });
        }
      }
      for (const order of work.orders) {
        const moved = db.advanceOrder(acting, order);
        if (moved.outcome === 'ran' || moved.outcome === 'skipped') {
          this.record.append({
            host: this.args.host,
            operation: 'run-job',
            member: this.args.member,
            target: moved.node ?? order,
            order,
            step: moved.step,
            epoch: acting.epoch,
            outcome: moved.outcome,
          });
        }
      }
    } catch (err) {
      if (!(err instanceof FencedWriteError)) throw err;
      this.refused(err, { operation: 'run-job', target: this.args.member, epoch: acting.epoch });
    }
  }

  /** Active cluster: start every step given to this member; deliver results that are due. */
  private takeSteps(): void {
    if (!this.token) return;
    const db = this.reach();
    this.deliverResults(db);
    if (!this.mayRunSteps) return;
    for (const given of db.stepsAssignedTo(this.args.member)) {
      const key = `${given.order}#${given.step}#${given.attempt}`;
      if (this.steps.has(key)) continue;
      try {
        db.claimStep(this.token, given.order, given.step, given.attempt);
      } catch (err) {
        if (!(err instanceof FencedWriteError)) throw err;
        this.refused(err, { operation: 'run-step', target: given.order, order: given.order, step: given.step, attempt: given.attempt });
        continue;
      }
      const inHand: StepInHand = { order: given.order, step: given.step, attempt: given.attempt };
      this.steps.set(key, inHand);
      setTimeout(() => {
        inHand.result = `${given.order} step ${given.step} by ${this.args.member}`;
        this.guard(() => this.deliverResults(this.reach()));
      }, this.args.stepMs);
    }
  }

  private deliverResults(db: MemberClusterDb): void {
    if (!this.token) return;
    for (const [key, s] of this.steps) {
      if (s.result === undefined) continue;
      // Gone from the map before the write: a write that throws "unreachable" puts it back below.
      this.steps.delete(key);
      const entry = { operation: 'run-step' as const, target: s.order, order: s.order, step: s.step, attempt: s.attempt };
      try {
        const outcome = db.completeStep(this.token, s.order, s.step, s.attempt, s.result);
        this.record.append({ host: this.args.host, member: this.args.member, pid: process.pid, ...entry, outcome });
      } catch (err) {
        if (err instanceof DatabaseUnreachableError) {
          this.steps.set(key, s);
          throw err;
        }
        if (!(err instanceof FencedWriteError)) throw err;
        this.refused(err, entry);
      }
    }
  }

  private say(line: string): void {
    process.stdout.write(`${new Date().toISOString()} ${this.args.member}: ${line}\n`);
  }
}

function main(): void {
  let args: MemberArgs;
  try {
    args = parseMemberArgv(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const member = new SimulatedMember(args);
  process.on('SIGTERM', () => member.terminate());
  member.start().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

main();
