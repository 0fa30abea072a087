/**
 * The OS restart on a Windows host: shutdown.exe and the PowerShell boot time, read by exit code
 * and parsed strictly; and the agent's restart step, which never restarts a host twice for one
 * step, even when Temporal retries it after the host went down before the answer got out.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHostAgentActivities, HostAgentDeps } from '../../../activities/spoc/spoc-host-activities';
import type { OsControl } from '../../../activities/windows/os-control/os-control';
import { noteFileName } from '../../../activities/spoc/os-restart-marker';
import { createWindowsOsControl, parseLastBootOutput, restartArguments } from '../../../activities/windows/os-control/windows-os-control';
import type { CommandResult } from '../../../activities/windows/service-control/service-control';
import { windowsProgram } from '../../../activities/windows/service-control/windows-programs';

describe('Windows OS control', () => {
  const runner = (result: Partial<CommandResult>, calls: string[][] = []) =>
    createWindowsOsControl(async (file, args) => {
      calls.push([file, ...args]);
      return { exitCode: 0, stdout: '', stderr: '', ...result };
    });

  test('restarts with shutdown.exe /r after the delay, as planned maintenance, with the comment', async () => {
    const calls: string[][] = [];
    await expect(runner({}, calls).requestRestart(15, 'spoolflow: Restart the OS of "spoc-1"')).resolves.toBe('scheduled');
    expect(calls).toEqual([[windowsProgram('shutdown.exe'), '/r', '/t', '15', '/d', 'p:4:1', '/c', "spoolflow: Restart the OS of 'spoc-1'"]]);
  });

  test('a restart already scheduled or under way is reported, not an error', async () => {
    await expect(runner({ exitCode: 1190, stderr: 'A system shutdown has already been scheduled.(1190)' }).requestRestart(15, 'x')).resolves.toBe('already-scheduled');
    await expect(runner({ exitCode: 1115 }).requestRestart(15, 'x')).resolves.toBe('already-scheduled');
  });

  test('access denied is refused for good; other failures are errors a retry may fix', async () => {
    await expect(runner({ exitCode: 5 }).requestRestart(15, 'x')).rejects.toMatchObject({ name: 'OsRestartRefusedError', message: expect.stringMatching(/access denied/) });
    await expect(runner({ exitCode: 1234, stderr: 'something odd' }).requestRestart(15, 'x')).rejects.toThrow('shutdown.exe /r failed with code 1234: something odd');
    expect(() => restartArguments(601, 'x')).toThrow('restart delay must be 0-600 s');
  });

  test("reads PowerShell's round-trip boot time with seven fraction digits, in UTC or with an offset", async () => {
    expect(parseLastBootOutput('2026-11-22T03:59:12.4870000Z\r\n')).toBe(Date.UTC(2026, 10, 22, 3, 59, 12, 487));
    expect(parseLastBootOutput('2026-11-22T04:59:12.4870000+01:00')).toBe(Date.UTC(2026, 10, 22, 3, 59, 12, 487));
    expect(() => parseLastBootOutput('22.11.2026 04:59:12')).toThrow(/cannot read the last boot time/);
    await expect(runner({ stdout: '2026-11-22T03:59:12.0000000Z\r\n' }).lastBootTime()).resolves.toBe(Date.UTC(2026, 10, 22, 3, 59, 12));
    await expect(runner({ exitCode: 1, stderr: 'Get-CimInstance : Access denied' }).lastBootTime()).rejects.toThrow(/could not read the last boot time \(exit 1\)/);
  });
});

describe('the restart step on the agent', () => {
  function agent(osControl: OsControl) {
    const deps: HostAgentDeps = {
      host: 'spoc-1',
      services: { query: async () => 'RUNNING', stop: async () => 'already-stopped', start: async () => 'already-running', list: async () => [] },
      localPath: (p) => p,
      pollMs: 1,
      os: osControl,
      stateDir: mkdtempSync(path.join(os.tmpdir(), 'spoolflow-agent-')),
    };
    return createHostAgentActivities(deps);
  }
  const effect = { step: 'restartOs', title: 'Restart the OS of spoc-1', action: 'restart-os' as const, host: 'spoc-1', delaySeconds: 15 };
  const sameActivity = { activityId: '7', workflowExecution: { workflowId: 'wf', runId: 'run-1' } };

  function fakeOs() {
    const state = { boot: Date.UTC(2026, 0, 1), requests: 0 };
    const control: OsControl = {
      lastBootTime: async () => state.boot,
      requestRestart: async () => {
        state.requests += 1;
        return 'scheduled';
      },
    };
    return { state, control };
  }

  test('a retry of the same step reports the first request and does not restart the host again', async () => {
    const host = fakeOs();
    const activities = agent(host.control);
    const env = new MockActivityEnvironment(sameActivity);
    const first = await env.run(activities.restartOs, effect);
    expect(first).toMatchObject({ outcome: 'restart-requested', bootBefore: '2026-01-01T00:00:00.000Z' });
    host.state.boot = Date.now() + 1000; // the host restarted
    const retried = await new MockActivityEnvironment(sameActivity as never).run(activities.restartOs, effect);
    expect(retried).toEqual({ ...(first as object), outcome: 'already-requested' });
    expect(host.state.requests).toBe(1);
  });

  test("the operator's retry of the step (a new activity, the same request key) does not restart the host again; another procedure does", async () => {
    const host = fakeOs();
    const activities = agent(host.control);
    const keyed = { ...effect, requestKey: 'spoc-group-london/run-1/restartOs@spoc-1' };
    await new MockActivityEnvironment(sameActivity as never).run(activities.restartOs, keyed);
    const retried = await new MockActivityEnvironment({ ...sameActivity, activityId: '9' }).run(activities.restartOs, keyed);
    expect(retried).toMatchObject({ outcome: 'already-requested' });
    expect(host.state.requests).toBe(1);
    await new MockActivityEnvironment({ ...sameActivity, activityId: '3' }).run(activities.restartOs, { ...keyed, requestKey: 'spoc-group-london/run-2/restartOs@spoc-1' });
    expect(host.state.requests).toBe(2);
  });

  test('two procedures whose request keys share their first 200 characters get two notes, and the second host is restarted too', async () => {
    const longGroup = `spoc-group-${'a-very-long-group-name-'.repeat(9)}`;
    const first = `${longGroup}/run-1/restartOs@spoc-1`;
    const second = `${longGroup}/run-2/restartOs@spoc-1`;
    expect(first.slice(0, 200)).toBe(second.slice(0, 200));
    expect(noteFileName(first)).not.toBe(noteFileName(second));
    // Characters a file name cannot hold must not make two keys one note either.
    expect(noteFileName('group:a/run-1')).not.toBe(noteFileName('group/a:run-1'));
    expect(noteFileName(first).length).toBeLessThan(120);

    const host = fakeOs();
    const activities = agent(host.control);
    await new MockActivityEnvironment(sameActivity as never).run(activities.restartOs, { ...effect, requestKey: first });
    const again = await new MockActivityEnvironment({ ...sameActivity, activityId: '8' }).run(activities.restartOs, { ...effect, requestKey: second });
    expect(again).toMatchObject({ outcome: 'restart-requested' });
    expect(host.state.requests).toBe(2);
  });

  test('a request that failed half-way is asked again while the host has not restarted since', async () => {
    const host = fakeOs();
    let failOnce = true;
    const flaky: OsControl = {
      ...host.control,
      requestRestart: async (...args) => {
        if (failOnce) {
          failOnce = false;
          throw new Error('RPC server unavailable');
        }
        return host.control.requestRestart(...args);
      },
    };
    const activities = agent(flaky);
    await expect(new MockActivityEnvironment(sameActivity as never).run(activities.restartOs, effect)).rejects.toThrow('RPC server unavailable');
    await expect(new MockActivityEnvironment(sameActivity as never).run(activities.restartOs, effect)).resolves.toMatchObject({ outcome: 'restart-requested' });
    expect(host.state.requests).toBe(1);
  });

  test('refuses to restart another host than its own', async () => {
    const activities = agent(fakeOs().control);
    await expect(new MockActivityEnvironment(sameActivity as never).run(activities.restartOs, { ...effect, host: 'spoc-2' })).rejects.toThrow(/refusing to act for another host/);
  });
});
