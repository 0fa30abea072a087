/**
 * The simulated OS restart: Windows stops every service and is down (nothing answers, not even
 * sc.exe), then boots with a new boot time and starts again what ran, the group service by
 * itself after the SPOC; the Management Server sees the SPOC online only since after the boot.
 */
import { GROUP_SERVICE, SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { simCommandRunner } from '../../../simulator/windows/sim-command-runner';
import { createTestFleet, testInventory } from '../../helpers/sim-fleet';

const until = async (what: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('a restarted host goes down with every service and comes back with the same services running, online since the boot', async () => {
  // The boot lasts a simulated 3,000 s (1 s real): long enough that a busy CI machine still asks
  // while the host is down (at the default 90-180 s it was back up within 60 ms real).
  const base = testInventory({ timeScale: 3000 });
  const fleet = createTestFleet({ ...base, timings: { ...base.timings, bootSeconds: [3000, 3000] } });
  const host = fleet.host('spoc-lon-1');
  const ms = fleet.managementServer();
  const bootBefore = host.lastBootTime();
  const onlineBefore = (await ms.spocStatus(['spoc-lon-1']))['spoc-lon-1']?.onlineSince;

  expect(host.requestOsRestart(5)).toBe('accepted');
  expect(host.requestOsRestart(5)).toBe('already-scheduled');
  await until(() => host.power() === 'down');
  expect(Object.values(host.serviceStates()).every((s) => s === 'STOPPED')).toBe(true);
  await expect(simCommandRunner(host)('sc.exe', ['query', 'YSoftSQ-SPOC'])).rejects.toThrow(/is not running/);
  expect((await ms.spocStatus(['spoc-lon-1']))['spoc-lon-1']).toMatchObject({ online: false, onlineSince: null });

  await until(() => host.isOnline() && host.serviceStates()[GROUP_SERVICE] === 'RUNNING');
  expect(host.lastBootTime()).toBeGreaterThan(bootBefore);
  expect(Object.entries(host.serviceStates()).filter(([, s]) => s !== 'RUNNING')).toEqual([]);
  const after = (await ms.spocStatus(['spoc-lon-1']))['spoc-lon-1'];
  expect(Date.parse(after?.onlineSince ?? '')).toBeGreaterThanOrEqual(host.lastBootTime());
  expect(after?.onlineSince).not.toBe(onlineBefore);

  const record = fleet.record.read().filter((e) => e.host === 'spoc-lon-1');
  const ops = record.map((e) => `${e.operation} ${e.outcome}`);
  expect(ops.indexOf('os-shutdown down')).toBeLessThan(ops.indexOf('os-boot up'));
  expect(record.filter((e) => e.outcome === 'stopped-by-os')).toHaveLength(host.server.services.length);
  // The group service is not started by Windows: it starts itself after the SPOC.
  expect(record.filter((e) => e.outcome === 'started-by-os').map((e) => e.target)).not.toContain(GROUP_SERVICE);
  expect(record.filter((e) => e.outcome === 'started-by-os').map((e) => e.target)).toContain(SPOC_SERVICE);
  expect(record.some((e) => e.target === GROUP_SERVICE && e.outcome === 'started-by-itself')).toBe(true);
  fleet.stop();
});

test('the emulated shutdown.exe and PowerShell answer like the real ones', async () => {
  const fleet = createTestFleet(testInventory({ timeScale: 3000 }));
  const run = simCommandRunner(fleet.host('spoc-bts-1'));
  expect((await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', "(Get-CimInstance -ClassName Win32_OperatingSystem).LastBootUpTime.ToUniversalTime().ToString('o')"])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z\r\n$/);
  expect((await run('shutdown.exe', ['/r', '/t', '30'])).exitCode).toBe(0);
  expect(await run('shutdown.exe', ['/r', '/t', '30'])).toMatchObject({ exitCode: 1190, stderr: expect.stringMatching(/already been scheduled/) });
  fleet.stop();
});
