/**
 * What a real host's agent refuses before it touches anything: a step for another host, a step
 * naming an install folder its configuration does not give it, a role it does not have. Each is
 * non-retryable, so the step halts at once for the operator, and names the folder and the field;
 * and each is written to the agent's log with the host, the action and why.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parseAgentConfig, type AgentConfig } from '../../../agent/agent-config';
import { createAgentActivities } from '../../../agent/agent-activities';
import { localMemberProcesses } from '../../../agent/local-member-processes';
import { isNonRetryableErrorType } from '../../../activities/core/non-retryable-errors';

let dir: string;
let logged: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-agent-refusals-'));
  logged = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base = { step: 's1', title: 'a step' };
const memberOnHost = { ...base, host: 'js-berlin-1', member: 'js-berlin-1', os: 'unix', database: 'berlin.sqlite', jobSchedulerId: 'berlin', timeoutSeconds: 30 } as const;

function agent(config: Record<string, unknown>): ReturnType<typeof createAgentActivities> {
  const parsed: AgentConfig = parseAgentConfig({ notesFolder: path.join(dir, 'notes'), emulatedWindowsDrives: path.join(dir, 'drives'), ...config }, 'linux');
  return createAgentActivities(parsed, (line) => logged.push(line));
}

const siteServer = () => agent({ host: 'spoc-lon-1', spocSiteServer: { installDir: 'C:\\Program Files\\Dispatcher Paragon' } });
const schedulerHost = () => agent({ host: 'js-berlin-1', jobScheduler: { installs: [{ os: 'unix', installDir: '/opt/jobscheduler/berlin' }] } });

async function refusal(attempt: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.nonRetryable).toBe(true);
  expect(isNonRetryableErrorType(failure.type ?? undefined)).toBe(true);
  return failure;
}

test("a site server's agent refuses to delete the cache of a folder that is not its install folder, and deletes nothing", async () => {
  const other = path.join(dir, 'drives', 'D', 'Other', 'SPOC', 'SpoolCache');
  mkdirSync(other, { recursive: true });
  const failure = await refusal(siteServer().deleteCache({ ...base, action: 'delete-cache', host: 'spoc-lon-1', installDir: 'D:\\Other', timeoutSeconds: 60 } as never));
  expect(failure.type).toBe('OutsideAgentConfigError');
  expect(failure.message).toContain('"D:\\Other"');
  expect(failure.message).toContain('spocSiteServer.installDir is "C:\\Program Files\\Dispatcher Paragon"');
  expect(existsSync(other)).toBe(true);
  expect(logged).toEqual([`refused delete-cache (step s1) for spoc-lon-1: OutsideAgentConfigError: ${failure.message}`]);
});

test("the install folder is compared as Windows compares it: case and separators do not matter", async () => {
  // Past the folder check, the step reaches the host, whose emulated drives hold no sc.exe here.
  await expect(siteServer().preflight({ ...base, action: 'preflight', host: 'spoc-lon-1', installDir: 'c:/program files/dispatcher paragon', services: [] } as never)).rejects.toThrow(
    /Windows[\\/]System32[\\/]sc\.exe.* could not be run/,
  );
});

test("a site server's agent refuses a step meant for another host before running sc.exe", async () => {
  const failure = await refusal(siteServer().stopService({ ...base, action: 'stop-service', host: 'spoc-lon-2', service: 'Dispatcher Paragon Terminal Server', timeoutSeconds: 30 } as never));
  expect(failure.type).toBe('InvalidEffectError');
  expect(failure.message).toMatch(/not spoc-lon-2: refusing to act for another host/);
  expect(logged).toEqual([`refused stop-service (step s1) for spoc-lon-2: InvalidEffectError: ${failure.message}`]);
});

test('a JobScheduler host refuses an install folder outside its configuration, naming the field', async () => {
  const failure = await refusal(schedulerHost().stopScheduler({ ...memberOnHost, action: 'stop-scheduler', installDir: '/opt/jobscheduler/munich' } as never));
  expect(failure.type).toBe('OutsideAgentConfigError');
  expect(failure.message).toContain('"/opt/jobscheduler/munich"');
  expect(failure.message).toContain('jobScheduler.installs[].installDir: /opt/jobscheduler/berlin (unix)');
  expect(logged).toEqual([`refused stop-scheduler (step s1) for js-berlin-1: OutsideAgentConfigError: ${failure.message}`]);
});

test('a JobScheduler host refuses a step meant for another host', async () => {
  const failure = await refusal(schedulerHost().stopScheduler({ ...memberOnHost, action: 'stop-scheduler', host: 'js-berlin-2', installDir: '/opt/jobscheduler/berlin/' } as never));
  expect(failure.type).toBe('InvalidEffectError');
  expect(failure.message).toMatch(/not js-berlin-2: refusing to act for another host/);
});

test('an agent refuses the steps of a role its configuration does not give the host', async () => {
  expect((await refusal(schedulerHost().stopService({ ...base, action: 'stop-service', host: 'js-berlin-1', service: 'x', timeoutSeconds: 30 } as never))).message).toMatch(/no spocSiteServer/);
  expect((await refusal(siteServer().stopScheduler({ ...memberOnHost, host: 'spoc-lon-1', action: 'stop-scheduler', installDir: '/opt/jobscheduler/berlin' } as never))).message).toMatch(/no jobScheduler/);
  expect((await refusal(schedulerHost().terminateMember({ ...base, action: 'terminate-member', host: 'js-berlin-1', database: 'berlin.sqlite', member: 'js-berlin-1', timeoutMs: 1000 }))).message).toMatch(/set jobScheduler\.clusterDatabaseFolder/);
  expect(logged.map((line) => line.split(':')[0])).toEqual(['refused stop-service (step s1) for js-berlin-1', 'refused stop-scheduler (step s1) for spoc-lon-1', 'refused terminate-member (step s1) for js-berlin-1']);
});

test('the agent ends no member process of another host', async () => {
  const withDatabases = agent({ host: 'js-berlin-1', jobScheduler: { installs: [{ os: 'unix', installDir: '/opt/jobscheduler/berlin' }], clusterDatabaseFolder: dir } });
  const failure = await refusal(withDatabases.terminateMember({ ...base, action: 'terminate-member', host: 'js-berlin-2', database: 'berlin.sqlite', member: 'js-berlin-2', timeoutMs: 1000 }));
  expect(failure.type).toBe('InvalidEffectError');
  await expect(localMemberProcesses('js-berlin-1').terminate({ member: 'js-berlin-2', host: 'js-berlin-2', pid: process.pid }, 1000)).rejects.toThrow(/refusing to act for another host/);
});
