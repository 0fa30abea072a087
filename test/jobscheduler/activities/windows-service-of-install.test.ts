/**
 * Two JobSchedulers on one Windows host, each with its install folder and service. A step names
 * an install folder (the agent's configuration allows it) and a JobScheduler ID; the service that
 * ID names must run its program from that folder, else the step is refused before anything is
 * touched: the ID of the other JobScheduler would have had its service looked at, and this
 * folder's `jobscheduler.cmd remove` run, removing this install's service while the check had
 * looked at the other one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSchedulerHostActivities } from '../../../activities/jobscheduler/scheduler-host-activities';
import { SchedulerFleet } from '../../../simulator/jobscheduler/scheduler-fleet';
import { SimulatedSchedulerHost } from '../../../simulator/jobscheduler/scheduler-host';

const CMD = 'C:\\Windows\\System32\\cmd.exe';
let simDir: string;
let fleet: SchedulerFleet;
beforeEach(() => {
  simDir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-two-schedulers-'));
  fleet = new SchedulerFleet(simDir);
});
afterEach(async () => {
  await fleet.killAll();
  rmSync(simDir, { recursive: true, force: true });
});

function install(installDir: string, jobSchedulerId: string): SimulatedSchedulerHost {
  return new SimulatedSchedulerHost(simDir, fleet, { host: 'js-win-1', os: 'windows', installDir, jobSchedulerId, database: 'cluster.sqlite', options: '-exclusive' });
}

test("a step naming one install's folder and the other's JobScheduler ID is refused, and both services stay installed", async () => {
  const berlin = install('C:\\sos\\berlin', 'berlin');
  const munich = install('C:\\sos\\munich', 'munich');
  await munich.install();
  await berlin.install();
  // The installer of the second one installs its service too (the simulation installs only a host's first by itself).
  expect((await berlin.run(CMD, ['/d', '/v:off', '/c', 'cd', '/d', 'C:\\sos\\berlin', '&&', 'call', '.\\bin\\jobscheduler.cmd', 'install'])).exitCode).toBe(0);
  const installed = () => Object.keys(berlin.services!.services()).sort();
  expect(installed()).toEqual(['sos_scheduler_berlin', 'sos_scheduler_munich']);

  const activities = createSchedulerHostActivities(berlin.deps({ pollMs: 20 }));
  const step = { step: 's1', title: 'Remove the service', host: 'js-win-1', member: 'js-win-1', os: 'windows', installDir: 'C:\\sos\\berlin', database: 'cluster.sqlite', jobSchedulerId: 'munich' } as const;
  const refused = { type: 'SchedulerServiceOfAnotherInstallError', nonRetryable: true, message: expect.stringContaining('runs C:\\sos\\munich\\bin\\scheduler.exe, which is not in the install folder C:\\sos\\berlin') };
  await expect(activities.removeSchedulerService({ ...step, action: 'remove-scheduler-service' })).rejects.toMatchObject(refused);
  await expect(activities.stopScheduler({ ...step, action: 'stop-scheduler', timeoutSeconds: 5 })).rejects.toMatchObject(refused);
  expect(installed()).toEqual(['sos_scheduler_berlin', 'sos_scheduler_munich']);

  // The step with its own ID goes on as before.
  expect(await activities.removeSchedulerService({ ...step, jobSchedulerId: 'berlin', action: 'remove-scheduler-service' })).toEqual({ outcome: 'removed' });
  expect(installed()).toEqual(['sos_scheduler_munich']);
});

test('a stop that finds no service under the names its JobScheduler ID gives is refused, not taken for a stopped member, and no service is touched', async () => {
  const berlin = install('C:\\sos\\berlin', 'berlin');
  await berlin.install();
  const services = () => berlin.services!.services();
  const before = JSON.stringify(services());

  const activities = createSchedulerHostActivities(berlin.deps({ pollMs: 20 }));
  // Its JobScheduler runs as sos_scheduler_berlin; the step names the ID "berlin-prod".
  const step = { step: 's1', title: 'Stop the member', action: 'stop-scheduler', host: 'js-win-1', member: 'js-win-1', os: 'windows', installDir: 'C:\\sos\\berlin', database: 'cluster.sqlite', jobSchedulerId: 'berlin-prod', timeoutSeconds: 5 } as const;
  await expect(activities.stopScheduler(step)).rejects.toMatchObject({
    type: 'SchedulerServiceNotFoundError',
    nonRetryable: true,
    message: expect.stringContaining('no JobScheduler service of js-win-1 is installed on js-win-1 (looked for sos_scheduler_berlin-prod and sos_scheduler_berlin-prod_backup, from JobScheduler ID "berlin-prod"), so it is not known to be stopped'),
  });
  expect(JSON.stringify(services())).toBe(before);
});
