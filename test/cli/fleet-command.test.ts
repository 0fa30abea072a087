/**
 * `spoolflow worker` and `spoolflow fleet status` refuse a missing or invalid fleet configuration
 * before connecting to anything, naming the field; start's warning names the agent and the queue.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingAgentWarnings } from '../../cli/fleet-command';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');

function spoolflow(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' };
  delete env.SPOOLFLOW_FLEET;
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: result.status, stderr: result.stderr };
}

test('the worker and fleet status need a fleet configuration, and an invalid one is refused by field with code 2', () => {
  expect(spoolflow(['worker'])).toMatchObject({ code: 2, stderr: expect.stringContaining('the fleet configuration is required: --fleet <file> or SPOOLFLOW_FLEET') });
  expect(spoolflow(['fleet', 'status'])).toMatchObject({ code: 2, stderr: expect.stringContaining('fleet status needs hosts, or the fleet configuration') });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-fleet-cli-'));
  try {
    writeFileSync(path.join(dir, 'fleet.json'), JSON.stringify({ managementServer: { url: 'https://m/' }, siteServers: [{ host: 'spoc-a', spocPort: 0 }] }));
    for (const args of [['worker', '--fleet'], ['fleet', 'status', '--fleet']]) {
      expect(spoolflow([...args, path.join(dir, 'fleet.json')])).toMatchObject({ code: 2, stderr: expect.stringContaining('siteServers.0.spocPort: must be a TCP port, 1-65535') });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("start's warning names each agent that does not poll, its queue and when it was last seen", () => {
  const agent = (host: string, polling: boolean, lastSeen: string | null) => ({ host, taskQueue: `spoolflow-host-${host}`, polling, lastSeen, pollers: [] });
  const lines = missingAgentWarnings([agent('spoc-a', true, '2025-01-01T00:00:00.000Z'), agent('spoc-b', false, '2025-01-01T00:00:00.000Z'), agent('spoc-c', false, null)], 'ip-address-changed');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain('the agent of spoc-b, needed by ip-address-changed, does not poll spoolflow-host-spoc-b (last seen 2025-01-01T00:00:00.000Z');
  expect(lines[1]).toContain('spoc-c');
  expect(lines[1]).toContain('never seen');
});
