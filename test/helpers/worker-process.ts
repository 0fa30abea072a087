/**
 * The workers as a separate OS process (simulator/main.ts), so a test can kill them with SIGKILL in
 * the middle of a procedure and start new ones, as a crashed server would be restarted.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `extraEnv`: settings of this test's own (e.g. SPOOLFLOW_SPOOL_CLEANING on), over the defaults below. */
export function spawnWorkerProcess(env: { address: string; dataDir: string; inventoryFile: string; extraEnv?: Record<string, string> }): WorkerProcess {
  // tsx's register hook in this very process: the tsx CLI would run the workers in a grandchild
  // that a SIGKILL of its parent leaves alive.
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'simulator', 'main.ts')], {
    cwd: ROOT,
    env: { ...onlyTheTestServer(env.address, env.dataDir), SPOOLFLOW_DATA_DIR: env.dataDir, SPOOLFLOW_INVENTORY: env.inventoryFile, SPOOLFLOW_SCHEDULER_CLUSTERS: 'off', SPOOLFLOW_SPOOL_CLEANING: 'off', SPOOLFLOW_SAP_SPOOL: 'off', ...env.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return {
    child,
    output: () => output,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

/**
 * This process's environment pointed at the test server alone: a developer's own Temporal settings
 * (a namespace, an API key, TLS in their default temporal.toml profile or in TEMPORAL_* variables)
 * would otherwise be merged over TEMPORAL_ADDRESS, as Temporal's configuration does. TEMPORAL_CLI
 * (which binary runs the dev server) is spoolflow's own and stays.
 */
function onlyTheTestServer(address: string, dataDir: string): NodeJS.ProcessEnv {
  const isolated = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_') || name === 'TEMPORAL_CLI'));
  const noProfiles = path.join(dataDir, 'no-profiles.toml');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(noProfiles, '');
  return { ...isolated, TEMPORAL_ADDRESS: address, TEMPORAL_CONFIG_FILE: noProfiles };
}
