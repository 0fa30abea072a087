/**
 * Finds (or builds) the `temporal` CLI binary that runs spoolflow's embedded dev server.
 *
 * The CLI is pinned because `server start-dev` flags and behaviour change between releases;
 * building from the Go module keeps spoolflow usable on machines that can reach the Go module
 * proxy but not GitHub release downloads (which is what `@temporalio/testing` would fetch).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isProcessAlive } from './process-alive';

/** The pinned Temporal CLI release. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

/** The Temporal Server version embedded in {@link TEMPORAL_CLI_VERSION}. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

/** The Web UI version embedded in {@link TEMPORAL_CLI_VERSION}. */
export const TEMPORAL_UI_VERSION = '2.42.1';

/** The Go package that `go install` builds into the `temporal` binary. */
export const TEMPORAL_CLI_GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

/** Where a resolved CLI came from; `'sdk-download'` means no binary was found (see {@link resolveTemporalCli}). */
export type TemporalCliSource = 'env' | 'path' | 'cache' | 'built' | 'sdk-download';

/** Result of {@link resolveTemporalCli}. */
export interface ResolvedTemporalCli {
  /** Absolute path of the binary; `''` when `source` is `'sdk-download'`. */
  path: string;
  source: TemporalCliSource;
}

/** Options for {@link resolveTemporalCli}. */
export interface ResolveTemporalCliOptions {
  /** Progress and warnings; defaults to writing lines to stderr. */
  log?: (msg: string) => void;
  /** Build with `go install` when nothing else is found; default `true`. */
  allowBuild?: boolean;
  /** Environment to read (`TEMPORAL_CLI`, `PATH`, `XDG_CACHE_HOME`, `HOME`); defaults to `process.env`. Tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

const BINARY_NAME = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const GO_NAME = process.platform === 'win32' ? 'go.exe' : 'go';

/** How long to wait for another process's build before giving up; a cold build is a few minutes. */
const FOREIGN_BUILD_TIMEOUT_MS = 30 * 60_000;

const defaultLog = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

/**
 * The folder holding spoolflow's build of the pinned CLI:
 * `<cache>/spoolflow/temporal-cli/<TEMPORAL_CLI_VERSION>`, where `<cache>` is `$XDG_CACHE_HOME`
 * or `~/.cache`. The binary is `temporal` inside it.
 *
 * The version is part of the path so that bumping the pin never reuses an old binary.
 *
 * @param env - the environment to read; defaults to `process.env`.
 */
export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says relative values must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const cacheRoot = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheRoot, 'spoolflow', 'temporal-cli', TEMPORAL_CLI_VERSION);
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Like `which`: the first executable `name` in `env.PATH`, as an absolute path. */
function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue; // an empty entry means "current directory" to shells; never trust that for binaries
    const candidate = path.resolve(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Warns when a binary we did not build reports a different server version, since start-dev
 * flags and SQLite schema handling are only tested against the pinned one. `go install`
 * builds report "0.0.0-DEV" as CLI version, so only the server version is compared.
 */
async function warnIfOtherVersion(file: string, source: string, log: (m: string) => void): Promise<void> {
  const out = await new Promise<string | undefined>((resolve) => {
    execFile(file, ['--version'], { timeout: 15_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
  if (out === undefined) {
    log(`warning: ${file} (from ${source}) did not answer "--version"; if the dev server fails to start, point TEMPORAL_CLI at a Temporal CLI ${TEMPORAL_CLI_VERSION}`);
  } else if (!out.includes(`Server ${TEMPORAL_SERVER_VERSION}`)) {
    log(
      `warning: ${file} (from ${source}) reports "${out}"; spoolflow is tested with Temporal CLI ${TEMPORAL_CLI_VERSION} ` +
        `(Server ${TEMPORAL_SERVER_VERSION}). If the dev server misbehaves, run "npx tsx scripts/install-temporal-cli.ts" ` +
        'and point TEMPORAL_CLI at the binary it prints.',
    );
  }
}


const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Takes the build lock (`.build.lock`, holding our pid) or reports who holds it. A lock left by
 * a dead process (crash, kill -9) is removed, so it can never block builds forever.
 */
function tryLock(lockPath: string): { acquired: true } | { acquired: false; holder: number } {
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return { acquired: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let content: string;
    let ageMs: number;
    try {
      content = fs.readFileSync(lockPath, 'utf8').trim();
      ageMs = Date.now() - fs.statSync(lockPath).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile; try again
      throw err;
    }
    const holder = Number.parseInt(content, 10);
    if (Number.isInteger(holder) && holder > 0) {
      if (isProcessAlive(holder)) return { acquired: false, holder };
    } else if (ageMs < 10_000) {
      // Created but not yet written by its owner (create and write are two steps): not stale.
      return { acquired: false, holder: 0 };
    }
    // Stale. Two processes clearing the same stale lock can at worst both build; the atomic
    // rename makes that harmless, just slower.
    fs.rmSync(lockPath, { force: true });
  }
}

/** Runs `go install` into a private folder and renames the result into place. */
async function buildWithGo(goPath: string, cacheDir: string, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<string> {
  const finalPath = path.join(cacheDir, BINARY_NAME);
  // Inside the cache dir so the final rename stays on one filesystem and is therefore atomic:
  // a concurrent reader sees either no binary or a complete one.
  const buildDir = fs.mkdtempSync(path.join(cacheDir, '.build-'));
  const target = `${TEMPORAL_CLI_GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`;
  log(
    `building the Temporal CLI ${TEMPORAL_CLI_VERSION} (Temporal Server ${TEMPORAL_SERVER_VERSION}, Web UI ${TEMPORAL_UI_VERSION}) ` +
      `from its Go module into ${cacheDir}; a cold build takes several minutes`,
  );
  const started = Date.now();
  try {
    const code = await new Promise<number | string>((resolve, reject) => {
      const child = spawn(goPath, ['install', target], {
        env: { ...env, GOBIN: buildDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // go prints only "downloading" lines and errors, so forward all of it; it is the only
      // evidence of what went wrong when the proxy is unreachable.
      child.stdout.on('data', (d: Buffer) => process.stderr.write(d));
      child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
      // Compiling is silent for minutes; a heartbeat tells the user it is not hung.
      const heartbeat = setInterval(() => {
        log(`still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s so far)`);
      }, 30_000);
      heartbeat.unref();
      child.on('error', (err) => {
        clearInterval(heartbeat);
        reject(err);
      });
      child.on('close', (exitCode, signal) => {
        clearInterval(heartbeat);
        resolve(exitCode ?? signal ?? 'unknown');
      });
    });
    const built = path.join(buildDir, BINARY_NAME);
    if (code !== 0) {
      throw new Error(
        `"GOBIN=${buildDir} ${goPath} install ${target}" failed (exit ${code}); see go's output above. ` +
          'Check network access to the Go module proxy (or GOPROXY/GOFLAGS), or install the Temporal CLI another way ' +
          'and set TEMPORAL_CLI to its path.',
      );
    }
    if (!isExecutableFile(built)) {
      throw new Error(
        `"go install ${target}" succeeded but left no executable at ${built}; is GOOS/GOARCH set for another platform? ` +
          'Unset them, or set TEMPORAL_CLI to a working binary.',
      );
    }
    fs.renameSync(built, finalPath);
    log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s: ${finalPath}`);
    return finalPath;
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
}

/**
 * Builds the CLI unless another process is already doing so, in which case it waits for that
 * build instead of spending minutes of CPU on an identical one.
 */
async function buildOnce(
  goPath: string,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  log: (m: string) => void,
): Promise<ResolvedTemporalCli> {
  fs.mkdirSync(cacheDir, { recursive: true });
  const finalPath = path.join(cacheDir, BINARY_NAME);
  const lockPath = path.join(cacheDir, '.build.lock');
  const deadline = Date.now() + FOREIGN_BUILD_TIMEOUT_MS;
  let announced = false;
  for (;;) {
    const lock = tryLock(lockPath);
    if (lock.acquired) {
      try {
        // The previous holder may have finished between our cache check and taking the lock.
        if (isExecutableFile(finalPath)) return { path: finalPath, source: 'cache' };
        return { path: await buildWithGo(goPath, cacheDir, env, log), source: 'built' };
      } finally {
        fs.rmSync(lockPath, { force: true });
      }
    }
    if (!announced) {
      log(`another process${lock.holder ? ` (pid ${lock.holder})` : ''} is building the Temporal CLI into ${cacheDir}; waiting for it`);
      announced = true;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for ${lock.holder ? `pid ${lock.holder}` : 'another process'} to build the Temporal CLI into ${cacheDir}; ` +
          `if that process is stuck, kill it or delete ${lockPath}, then retry`,
      );
    }
    await sleep(1000);
    if (isExecutableFile(finalPath)) return { path: finalPath, source: 'cache' };
  }
}

/**
 * Finds the Temporal CLI binary, in this order:
 *
 * 1. `TEMPORAL_CLI` (must be an executable file, else this throws);
 * 2. `temporal` on `PATH`;
 * 3. the cached build in {@link temporalCliCacheDir};
 * 4. if `go` is on `PATH` (and `allowBuild` is not false): builds
 *    `go install github.com/temporalio/cli/cmd/temporal@v1.5.1` into the cache, streaming go's
 *    output to stderr. Concurrent callers share one build (lock file) and never see a partial
 *    binary (atomic rename);
 * 5. otherwise returns `{ path: '', source: 'sdk-download' }` and logs why: the caller should let
 *    `@temporalio/testing` download its own dev server (`{ type: 'cached-download' }`, needs
 *    internet).
 *
 * Binaries from 1. and 2. are asked for `--version` and a warning is logged if their server
 * version is not {@link TEMPORAL_SERVER_VERSION}.
 *
 * @throws if `TEMPORAL_CLI` is set but unusable, or if a build fails.
 */
export async function resolveTemporalCli(opts: ResolveTemporalCliOptions = {}): Promise<ResolvedTemporalCli> {
  const log = opts.log ?? defaultLog;
  const env = opts.env ?? process.env;

  const fromEnv = env.TEMPORAL_CLI?.trim();
  if (fromEnv) {
    const abs = path.resolve(fromEnv);
    if (!fs.existsSync(abs)) {
      throw new Error(`TEMPORAL_CLI is set to ${abs}, which does not exist; fix the path or unset TEMPORAL_CLI to let spoolflow find or build the CLI`);
    }
    if (!isExecutableFile(abs)) {
      throw new Error(`TEMPORAL_CLI is set to ${abs}, which is not an executable file; run "chmod +x ${abs}" or unset TEMPORAL_CLI`);
    }
    await warnIfOtherVersion(abs, 'TEMPORAL_CLI', log);
    return { path: abs, source: 'env' };
  }

  const onPath = findOnPath(BINARY_NAME, env);
  if (onPath) {
    await warnIfOtherVersion(onPath, 'PATH', log);
    return { path: onPath, source: 'path' };
  }

  const cacheDir = temporalCliCacheDir(env);
  const cached = path.join(cacheDir, BINARY_NAME);
  if (isExecutableFile(cached)) return { path: cached, source: 'cache' };

  const go = findOnPath(GO_NAME, env);
  if (go && opts.allowBuild !== false) return buildOnce(go, cacheDir, env, log);

  const why = go
    ? 'building it is disabled (allowBuild: false)'
    : 'Go is not on PATH to build it';
  log(
    `no Temporal CLI found (TEMPORAL_CLI unset, no "temporal" on PATH, nothing at ${cached}) and ${why}; ` +
      '@temporalio/testing will download its own dev server instead, which needs internet access. ' +
      'To avoid that, install Go and run "npx tsx scripts/install-temporal-cli.ts", or set TEMPORAL_CLI.',
  );
  return { path: '', source: 'sdk-download' };
}
