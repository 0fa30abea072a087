/**
 * `spoolflow sim` disturbs the simulated fleet of a data folder from another process, and the
 * process that runs the fleet sees the change.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_INVENTORY_FILE, loadInventory } from '../../simulator/spoc/inventory';
import { SimFleet } from '../../simulator/spoc/sim-fleet';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-sim-cli-'));
const sim = (...args: string[]) => spawnSync(process.execPath, [CLI, 'sim', ...args], { encoding: 'utf8', env: { ...process.env, SPOOLFLOW_DATA_DIR: dir } });

test('a fault injected from the CLI reaches the fleet running in another process, and clearing it does too', () => {
  const running = new SimFleet(loadInventory(DEFAULT_INVENTORY_FILE), path.join(dir, 'sim'));
  expect(running.host('spoc-lon-1').faults()).toEqual({});
  const set = sim('fault', 'spoc-lon-1', '--never-online', '--wont-stop', 'Dispatcher Paragon Terminal Server');
  expect(set.status).toBe(0);
  expect(running.host('spoc-lon-1').faults()).toEqual({ neverOnline: true, services: { 'Dispatcher Paragon Terminal Server': 'wont-stop' } });
  expect(sim('fault', 'spoc-lon-1', '--clear').status).toBe(0);
  expect(running.host('spoc-lon-1').faults()).toEqual({});
});

test('load and the Management Server can be switched, and status shows the fleet', () => {
  expect(sim('load', 'spoc-prg-2', '4').status).toBe(0);
  expect(sim('management-server', 'down').status).toBe(0);
  const status = JSON.parse(sim('status').stdout) as { managementServer: string; hosts: { host: string; activeJobs: number; online: boolean }[] };
  expect(status.managementServer).toBe('down');
  expect(status.hosts.find((h) => h.host === 'spoc-prg-2')).toMatchObject({ activeJobs: 4, online: true });
});

test('an unknown service or host is refused with exit code 2', () => {
  expect(sim('fault', 'spoc-lon-1', '--wont-start', 'Fax Service')).toMatchObject({ status: 2, stderr: expect.stringContaining('has no service "Fax Service"') });
  expect(sim('load', 'spoc-lon-1', 'many')).toMatchObject({ status: 2 });
});

test('a server restarted by hand from the CLI goes down in the running fleet and boots again', async () => {
  const running = new SimFleet({ ...loadInventory(DEFAULT_INVENTORY_FILE), timeScale: 3000 }, path.join(dir, 'sim'));
  const bootBefore = running.host('spoc-bts-1').lastBootTime();
  expect(JSON.parse(sim('restart-os', 'spoc-bts-1').stdout)).toEqual({ host: 'spoc-bts-1', restart: 'accepted' });
  const deadline = Date.now() + 10_000;
  while (running.host('spoc-bts-1').lastBootTime() === bootBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(running.host('spoc-bts-1').lastBootTime()).toBeGreaterThan(bootBefore);
  expect((JSON.parse(sim('status').stdout) as { hosts: { host: string; windows: string }[] }).hosts.find((h) => h.host === 'spoc-bts-1')?.windows).toMatch(/up|down/);
});
