/**
 * The agent's log waits count what the SPOC wrote after the agent started it, by position: a
 * clock going back during the wait, a rotation during the wait and a retried start do not fool
 * them; without the agent's note they fall back to timestamps and say so; lines in a format the
 * agent cannot read are reported with an example, and a configured pattern reads them.
 */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHostAgentActivities, HostAgentDeps } from '../../../activities/spoc/spoc-host-activities';
import type { ServiceState } from '../../../activities/windows/service-control/service-control';
import { createScExeServiceControl } from '../../../activities/windows/service-control/sc-exe-service-control';
import { formatLogTimestamp, RESCUE_FINISHED_MARKER } from '../../../activities/spoc/spoc-logs';
import { SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { emulateScExe, EmulatedServiceTable } from '../../../simulator/windows/sc-exe-emulator';
import { localPathOf } from '../../../simulator/windows/sim-host-files';

const INSTALL = 'C:\\DP';
const HOST = 'spoc-1';
const HOUR = 3600_000;
const PROCEDURE = 'restart-group-1/run-1';
const key = (step: string, procedure = PROCEDURE) => `${procedure}/${step}@${HOST}`;

/** A site server with just the SPOC, which starts at once. */
class SpocHost implements EmulatedServiceTable {
  spoc: ServiceState = 'STOPPED';
  state(k: string) {
    return k === 'YSoftSQ-SPOC' ? this.spoc : undefined;
  }
  requestStop() {
    this.spoc = 'STOPPED';
    return 'accepted' as const;
  }
  requestStart() {
    if (this.spoc === 'RUNNING') return 'already-running' as const;
    this.spoc = 'RUNNING';
    return 'accepted' as const;
  }
  list() {
    return [{ key: 'YSoftSQ-SPOC', display: SPOC_SERVICE }];
  }
}

function siteServer(opts: Partial<Pick<HostAgentDeps, 'spocLogFormat' | 'spocInstallDir' | 'heartbeatEveryMs'>> = {}) {
  const host = new SpocHost();
  const root = mkdtempSync(path.join(os.tmpdir(), 'spoc-log-anchor-'));
  const local = (win: string) => localPathOf(root, win);
  mkdirSync(local(`${INSTALL}\\SPOC\\logs`), { recursive: true });
  const lifecycle = local(`${INSTALL}\\SPOC\\logs\\spoc_lifecycle.log`);
  const main = local(`${INSTALL}\\SPOC\\logs\\spoc.log`);
  writeFileSync(lifecycle, '');
  writeFileSync(main, '');
  const activities = createHostAgentActivities({
    host: HOST,
    services: createScExeServiceControl(async (_file, args) => emulateScExe(args, host)),
    localPath: local,
    pollMs: 5,
    os: { lastBootTime: async () => 0, requestRestart: async () => 'scheduled' },
    stateDir: path.join(root, 'agent'),
    ...opts,
  });
  const heartbeats: unknown[] = [];
  const env = () => {
    const e = new MockActivityEnvironment({ scheduledTimestampMs: Date.now(), activityId: '1' });
    e.on('heartbeat', (d: unknown) => heartbeats.push(d));
    return e;
  };
  const run = <A, R>(fn: (a: A) => Promise<R>, arg: A): Promise<R> => env().run(fn, arg);
  const base = { title: 't', host: HOST };
  return {
    host,
    lifecycle,
    main,
    heartbeats,
    preflight: (procedure = PROCEDURE) =>
      run(activities.preflight, { ...base, step: 'preflight', action: 'preflight' as const, installDir: INSTALL, services: [SPOC_SERVICE], requestKey: key('preflight', procedure) }),
    startSpoc: (procedure = PROCEDURE, step = 'm0StartSpoc') =>
      run(activities.startService, { ...base, step, action: 'start-service' as const, service: SPOC_SERVICE, timeoutSeconds: 5, requestKey: key(step, procedure) }),
    awaitOnline: (since: string, timeoutSeconds: number, procedure = PROCEDURE) =>
      run(activities.awaitLifecycleOnline, {
        ...base,
        step: 'm0AwaitOnline',
        action: 'await-lifecycle-online' as const,
        installDir: INSTALL,
        since,
        timeoutSeconds,
        requestKey: key('m0AwaitOnline', procedure),
      }),
    awaitRescue: (since: string, timeoutSeconds: number) =>
      run(activities.awaitRescueFinished, {
        ...base,
        step: 'm0AwaitRescue',
        action: 'await-rescue-finished' as const,
        installDir: INSTALL,
        since,
        timeoutSeconds,
        requestKey: key('m0AwaitRescue'),
      }),
  };
}

const status = (at: number, s: string) => `${formatLogTimestamp(at)} INFO  [SpocLifecycle] Lifecycle status: ${s}\r\n`;
const mainLine = (at: number, text: string) => `${formatLogTimestamp(at)} INFO  [main] ${text}\r\n`;
/** Runs `write` while the wait is already polling. */
const soon = (write: () => void) => new Promise<void>((resolve) => setTimeout(() => (write(), resolve()), 50));

describe('a clock going back an hour during the wait', () => {
  test('lines the SPOC writes after the start, stamped an hour before it, are seen by their position', async () => {
    const s = siteServer();
    appendFileSync(s.lifecycle, status(Date.now() - 10 * 60_000, 'OFFLINE'));
    await s.preflight();
    const { at } = await s.startSpoc();
    const start = Date.parse(at);
    const waiting = s.awaitOnline(at, 10);
    // The clock went back an hour (the end of summer time): the next lines read as an hour old.
    await soon(() => appendFileSync(s.lifecycle, status(start - HOUR + 2000, 'STARTING') + status(start - HOUR + 9000, 'ONLINE')));
    const answer = await waiting;
    expect(answer.logCheck).toMatchObject({ basis: 'position noted at the start', unreadableLines: 0, stampedLongBeforeStart: 0 });
    expect(Date.parse(answer.onlineAt)).toBe(start - HOUR + 9000);
  });

  test('the same lines are missed by the timestamp rule that applies when the agent has no note', async () => {
    const s = siteServer();
    await s.preflight();
    const { at } = await s.startSpoc('another-procedure/run-9');
    appendFileSync(s.lifecycle, status(Date.parse(at) - HOUR + 9000, 'ONLINE'));
    await expect(s.awaitOnline(at, 0.2)).rejects.toMatchObject({
      type: 'StepTimedOutError',
      message: expect.stringMatching(/last status since then: none\).*by their timestamps alone.*no note of starting this procedure's SPOC/),
    });
  });

  test('a line after the position stamped far more than a clock shift before the start is not counted, and is reported', async () => {
    const s = siteServer();
    await s.preflight();
    const { at } = await s.startSpoc();
    appendFileSync(s.lifecycle, status(Date.parse(at) - 24 * HOUR, 'ONLINE'));
    await expect(s.awaitOnline(at, 0.2)).rejects.toMatchObject({ message: expect.stringContaining('1 line(s) after the noted position are stamped more than 3 h before the start') });
  });
});

describe('a rotation during the wait', () => {
  test('an ONLINE in the new file is seen; a stale ONLINE before the noted position is not', async () => {
    const s = siteServer();
    await s.preflight();
    // Stamped after the start (a clock ahead), but written before it: only its position tells.
    appendFileSync(s.lifecycle, status(Date.now() + 60_000, 'ONLINE'));
    const { at } = await s.startSpoc();
    const start = Date.parse(at);
    appendFileSync(s.lifecycle, status(start + 100, 'STARTING'));
    await expect(s.awaitOnline(at, 0.2)).rejects.toMatchObject({ message: expect.stringContaining('last status since then: STARTING') });
    const waiting = s.awaitOnline(at, 10);
    await soon(() => {
      renameSync(s.lifecycle, `${s.lifecycle}.1`);
      writeFileSync(s.lifecycle, status(start + 4000, 'ONLINE'));
    });
    const answer = await waiting;
    expect(Date.parse(answer.onlineAt)).toBe(start + 4000);
    expect(answer.logCheck.detail).toContain('rotated');
  });

  test('the rescue line written to the old file just before it rotated is still found', async () => {
    const s = siteServer();
    await s.preflight();
    const { at } = await s.startSpoc();
    const start = Date.parse(at);
    appendFileSync(s.main, mainLine(start + 1000, RESCUE_FINISHED_MARKER));
    renameSync(s.main, `${s.main}.1`);
    writeFileSync(s.main, mainLine(start + 2000, 'something else'));
    const answer = await s.awaitRescue(at, 5);
    expect(Date.parse(answer.finishedAt)).toBe(start + 1000);
  });
});

describe('a start done twice', () => {
  test('a retried start keeps the first position, so an ONLINE written between the two is still seen', async () => {
    const s = siteServer();
    await s.preflight();
    const first = await s.startSpoc();
    appendFileSync(s.lifecycle, status(Date.parse(first.at) + 500, 'ONLINE'));
    const second = await s.startSpoc();
    expect(second.outcome).toBe('already-running');
    const answer = await s.awaitOnline(first.at, 1);
    expect(answer.logCheck.basis).toBe('position noted at the start');
  });

  test('a SPOC that already ran when the procedure started it is judged by timestamps, and the answer says why', async () => {
    const s = siteServer();
    s.host.spoc = 'RUNNING';
    await s.preflight();
    const { at } = await s.startSpoc();
    appendFileSync(s.lifecycle, status(Date.parse(at) + 500, 'ONLINE'));
    const answer = await s.awaitOnline(at, 1);
    expect(answer.logCheck).toMatchObject({ basis: 'timestamps', detail: expect.stringContaining('already ran') });
  });
});

describe('no note of the start', () => {
  test('the timestamp rule applies as before: a stale ONLINE is ignored, one stamped after the start counts', async () => {
    const s = siteServer();
    const since = Date.now();
    appendFileSync(s.lifecycle, status(since - 60_000, 'ONLINE') + status(since + 1000, 'STARTING'));
    await expect(s.awaitOnline(new Date(since).toISOString(), 0.2)).rejects.toMatchObject({ message: expect.stringContaining('last status since then: STARTING') });
    appendFileSync(s.lifecycle, status(since + 2000, 'ONLINE'));
    const answer = await s.awaitOnline(new Date(since).toISOString(), 1);
    expect(Date.parse(answer.onlineAt)).toBe(since + 2000);
    expect(answer.logCheck).toMatchObject({ basis: 'timestamps', detail: expect.stringContaining('no note of starting') });
  });

  test('a configured install folder lets the agent note positions without a preflight', async () => {
    const s = siteServer({ spocInstallDir: INSTALL });
    const { at } = await s.startSpoc();
    appendFileSync(s.lifecycle, status(Date.parse(at) - HOUR, 'ONLINE'));
    expect((await s.awaitOnline(at, 1)).logCheck.basis).toBe('position noted at the start');
  });
});

describe('a log in an unexpected format', () => {
  const dotted = (at: number, text: string) => {
    const d = new Date(at);
    const p = (n: number) => String(n).padStart(2, '0');
    return `[${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}] SpocLifecycle - ${text}\r\n`;
  };

  test('the timeout names the unreadable lines with an example and says how to configure the format', async () => {
    // Heartbeats from 50 ms on: the wait shows what it has seen on its heartbeats once past its quiet start.
    const s = siteServer({ heartbeatEveryMs: 50 });
    await s.preflight();
    const { at } = await s.startSpoc();
    appendFileSync(s.lifecycle, dotted(Date.parse(at) + 1000, 'Lifecycle status: ONLINE') + '\tat com.ysoft.Spoc.run(Spoc.java:42)\r\n');
    const failure = (await s.awaitOnline(at, 0.3).catch((err: unknown) => err)) as Error;
    expect(failure.message).toContain('1 line(s) did not match the line pattern, for example: "[');
    expect(failure.message).toContain("No line could be read: the log's format is probably not the one the agent expects");
    expect(failure.message).toContain('Set spocSiteServer.logLineFormat');
    expect(s.heartbeats).toContainEqual(expect.objectContaining({ log: 'spoc_lifecycle.log', logCheck: expect.objectContaining({ unreadableLines: 1 }) }));
  });

  test('an answer found among unreadable lines counts them too', async () => {
    const s = siteServer();
    await s.preflight();
    const { at } = await s.startSpoc();
    appendFileSync(s.lifecycle, 'garbage line\r\n' + status(Date.parse(at) + 1000, 'ONLINE'));
    expect((await s.awaitOnline(at, 1)).logCheck).toMatchObject({ unreadableLines: 1, unreadableExample: 'garbage line' });
  });

  test('a configured line pattern makes the log readable', async () => {
    const s = siteServer({
      spocLogFormat: String.raw`^\[(?<day>\d{2})\.(?<month>\d{2})\.(?<year>\d{4}) (?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})\] (?<message>.*)$`,
    });
    await s.preflight();
    const { at } = await s.startSpoc();
    const start = Date.parse(at);
    appendFileSync(s.lifecycle, dotted(start + 2000, 'Lifecycle status: ONLINE'));
    const answer = await s.awaitOnline(at, 1);
    expect(answer.logCheck.unreadableLines).toBe(0);
    expect(Date.parse(answer.onlineAt)).toBe(Math.floor((start + 2000) / 1000) * 1000);
  });

  test.each([
    ['(unclosed', 'is not a valid regular expression'],
    [String.raw`^(?<timestamp>\S+ \S+)`, 'must name the message'],
    [String.raw`^(?<hour>\d+):(?<message>.*)$`, 'it names only hour'],
  ])('a pattern %j is refused when the agent is created, naming spocLogFormat', (pattern, rule) => {
    expect(() => siteServer({ spocLogFormat: pattern })).toThrow(new RegExp(`spocLogFormat: .*${rule}`));
  });
});
