/**
 * The workers as a separate OS process (simulator/main.ts), so a test can kill them with SIGKILL in
 * the middle of a procedure and start new ones, as a crashed server would be restarted.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnWorkerProcess(env: { address: string; dataDir: string; inventoryFile: string }): WorkerProcess {
  // tsx's register hook in this very process: the tsx CLI would run the workers in a grandchild
  // that a SIGKILL of its parent leaves alive.
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(ROOT, 'simulator', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, SPOOLFLOW_DATA_DIR: env.dataDir, SPOOLFLOW_INVENTORY: env.inventoryFile, SPOOLFLOW_SCHEDULER_CLUSTERS: 'off' },
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
