/**
 * A real host agent for a test: `spoolflow agent --config <file>` as a child process (the CLI
 * launcher the operator runs), on the test's Temporal server, for one host of a simulated fleet
 * whose Windows programs are the launchers of simulator/windows/fake-windows-programs/.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');

export interface AgentProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output has a line matching `pattern`; rejects when the agent ends first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** The exit code, once the agent has ended by itself. */
  exited: Promise<number | null>;
  /** Sends `signal` and resolves with the exit code once the agent has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnAgent(config: unknown, configFile: string, temporal: { address: string; namespace: string }, env: NodeJS.ProcessEnv = {}): AgentProcess {
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [CLI, 'agent', '--config', configFile], {
    env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (d: Buffer) => {
    output += d.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`the agent did not print ${pattern} within ${timeoutMs} ms; its output:\n${output}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`the agent ended (exit ${code}) before printing ${pattern}; its output:\n${output}`));
        });
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The Windows service manager of a simulated host, for its real agent process: the agent dies with
 * Windows (SIGKILL when the host goes down) and is started again once the host has booted, as the
 * WinSW service (Automatic start) brings it back on a real server.
 */
export class AgentAsWindowsService {
  /** How many times the agent was started: once, plus once per boot of its host. */
  starts = 0;
  current: AgentProcess | undefined;
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly host: { isUp(): boolean },
    private readonly start: () => AgentProcess,
    watchMs = 25,
  ) {
    this.launch();
    this.timer = setInterval(() => void this.watch(), watchMs);
  }

  /** Everything the agent printed, over all its starts. */
  readonly outputs: (() => string)[] = [];

  private launch(): void {
    this.current = this.start();
    this.outputs.push(this.current.output);
    this.starts += 1;
  }

  private async watch(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const running = this.current !== undefined;
      if (running && !this.host.isUp()) {
        const dying = this.current;
        this.current = undefined;
        await dying?.stop('SIGKILL');
      } else if (!running && this.host.isUp()) {
        this.launch();
      }
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.current?.stop('SIGKILL');
  }
}
