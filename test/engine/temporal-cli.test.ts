/**
 * Resolution order of the Temporal CLI, with fake `temporal` and `go` executables in temp dirs.
 * Nothing here runs a real Go build.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  resolveTemporalCli,
  temporalCliCacheDir,
  TEMPORAL_CLI_VERSION,
} from '../../engine/temporal-cli';

let root: string;
let bin: string;
let goCalls: string;
let env: NodeJS.ProcessEnv;
let logs: string[];
let stderr: string[];
const log = (m: string) => logs.push(m);

/** A `temporal` stand-in whose `--version` prints `versionLine`. */
function writeFakeTemporal(file: string, versionLine = 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `#!/bin/sh\necho "${versionLine}"\n`, { mode: 0o755 });
  return file;
}

/**
 * A `go` stand-in (a Node script, so it needs nothing else on PATH) that records each call in
 * FAKE_GO_CALLS, prints a line like go's, waits FAKE_GO_DELAY_MS, then writes `$GOBIN/temporal`
 * or fails if FAKE_GO_FAIL is set.
 */
function writeFakeGo(): void {
  const script = `#!${process.execPath}
const fs = require('fs');
const path = require('path');
fs.appendFileSync(process.env.FAKE_GO_CALLS, JSON.stringify({ args: process.argv.slice(2), gobin: process.env.GOBIN }) + '\\n');
process.stderr.write('go: downloading github.com/temporalio/cli v1.5.1 (fake)\\n');
setTimeout(() => {
  if (process.env.FAKE_GO_FAIL) { process.stderr.write('go: fake failure\\n'); process.exit(1); }
  fs.writeFileSync(path.join(process.env.GOBIN, 'temporal'), '#!/bin/sh\\necho "temporal version 0.0.0-DEV (Server 1.29.1, UI 2.42.1)"\\n', { mode: 0o755 });
}, Number(process.env.FAKE_GO_DELAY_MS || 0));
`;
  fs.writeFileSync(path.join(bin, 'go'), script, { mode: 0o755 });
}

function goInvocations(): { args: string[]; gobin: string }[] {
  if (!fs.existsSync(goCalls)) return [];
  return fs
    .readFileSync(goCalls, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'spoolflow-cli-'));
  bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  goCalls = path.join(root, 'go-calls.jsonl');
  // PATH holds only our fakes, so a real temporal or go on this machine cannot interfere.
  env = { PATH: bin, HOME: path.join(root, 'home'), XDG_CACHE_HOME: path.join(root, 'xdg'), FAKE_GO_CALLS: goCalls };
  logs = [];
  stderr = [];
  // go's output is streamed to stderr; capture it to assert on it and keep test output clean.
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(chunk.toString());
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('temporalCliCacheDir', () => {
  it('uses XDG_CACHE_HOME, else ~/.cache, with the version in the path', () => {
    expect(temporalCliCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' })).toBe(
      `/x/cache/spoolflow/temporal-cli/${TEMPORAL_CLI_VERSION}`,
    );
    expect(temporalCliCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/spoolflow/temporal-cli/v1.5.1');
  });

  it('ignores a relative XDG_CACHE_HOME, as the XDG spec requires', () => {
    expect(temporalCliCacheDir({ XDG_CACHE_HOME: 'rel', HOME: '/home/u' })).toBe('/home/u/.cache/spoolflow/temporal-cli/v1.5.1');
  });
});

describe('resolveTemporalCli', () => {
  it('prefers TEMPORAL_CLI over PATH and the cache', async () => {
    const fromEnv = writeFakeTemporal(path.join(root, 'custom', 'temporal'));
    writeFakeTemporal(path.join(bin, 'temporal'));
    writeFakeTemporal(path.join(temporalCliCacheDir(env), 'temporal'));
    expect(await resolveTemporalCli({ log, env: { ...env, TEMPORAL_CLI: fromEnv } })).toEqual({ path: fromEnv, source: 'env' });
    expect(logs).toEqual([]);
  });

  it('throws naming TEMPORAL_CLI when it points nowhere', async () => {
    await expect(resolveTemporalCli({ log, env: { ...env, TEMPORAL_CLI: path.join(root, 'nope') } })).rejects.toThrow(
      /TEMPORAL_CLI is set to .*nope, which does not exist/,
    );
  });

  it('throws naming TEMPORAL_CLI when the file is not executable', async () => {
    const file = path.join(root, 'temporal');
    fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
    await expect(resolveTemporalCli({ log, env: { ...env, TEMPORAL_CLI: file } })).rejects.toThrow(
      /TEMPORAL_CLI .* not an executable file; run "chmod \+x/,
    );
    await expect(resolveTemporalCli({ log, env: { ...env, TEMPORAL_CLI: root } })).rejects.toThrow(/TEMPORAL_CLI/);
  });

  it('uses temporal on PATH before the cache', async () => {
    const onPath = writeFakeTemporal(path.join(bin, 'temporal'));
    writeFakeTemporal(path.join(temporalCliCacheDir(env), 'temporal'));
    expect(await resolveTemporalCli({ log, env })).toEqual({ path: onPath, source: 'path' });
    expect(logs).toEqual([]);
  });

  it('skips non-executable PATH entries', async () => {
    fs.writeFileSync(path.join(bin, 'temporal'), 'not a program', { mode: 0o644 });
    const cached = writeFakeTemporal(path.join(temporalCliCacheDir(env), 'temporal'));
    expect(await resolveTemporalCli({ log, env })).toEqual({ path: cached, source: 'cache' });
  });

  it('warns when a found binary runs another server version', async () => {
    writeFakeTemporal(path.join(bin, 'temporal'), 'temporal version 1.1.0 (Server 1.26.2, UI 2.34.0)');
    expect((await resolveTemporalCli({ log, env })).source).toBe('path');
    expect(logs).toEqual([expect.stringMatching(/reports "temporal version 1.1.0 .*tested with Temporal CLI v1.5.1/)]);
  });

  it('uses the cache before building, without calling go', async () => {
    writeFakeGo();
    const cached = writeFakeTemporal(path.join(temporalCliCacheDir(env), 'temporal'));
    expect(await resolveTemporalCli({ log, env })).toEqual({ path: cached, source: 'cache' });
    expect(goInvocations()).toEqual([]);
  });

  it('builds with go into the cache through a temp dir, announcing it and streaming go output', async () => {
    writeFakeGo();
    const cacheDir = temporalCliCacheDir(env);
    const result = await resolveTemporalCli({ log, env });

    expect(result).toEqual({ path: path.join(cacheDir, 'temporal'), source: 'built' });
    fs.accessSync(result.path, fs.constants.X_OK);
    const calls = goInvocations();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toEqual(['install', 'github.com/temporalio/cli/cmd/temporal@v1.5.1']);
    // GOBIN is a private folder inside the cache dir, so the final rename is atomic.
    expect(path.dirname(calls[0]!.gobin)).toBe(cacheDir);
    expect(calls[0]!.gobin).not.toBe(cacheDir);
    expect(fs.readdirSync(cacheDir)).toEqual(['temporal']); // no temp dir or lock left behind

    expect(logs[0]).toBe(
      `building the Temporal CLI v1.5.1 (Temporal Server 1.29.1, Web UI 2.42.1) from its Go module into ${cacheDir}; ` +
        'a cold build takes several minutes',
    );
    expect(stderr.join('')).toContain('go: downloading github.com/temporalio/cli v1.5.1 (fake)');

    // Second call finds the build in the cache.
    expect(await resolveTemporalCli({ log, env })).toEqual({ path: result.path, source: 'cache' });
    expect(goInvocations()).toHaveLength(1);
  });

  it('reports a failed build with how to fix it and leaves nothing behind', async () => {
    writeFakeGo();
    const cacheDir = temporalCliCacheDir(env);
    await expect(resolveTemporalCli({ log, env: { ...env, FAKE_GO_FAIL: '1' } })).rejects.toThrow(
      /go install github.com\/temporalio\/cli\/cmd\/temporal@v1.5.1" failed \(exit 1\).*set TEMPORAL_CLI/,
    );
    expect(stderr.join('')).toContain('go: fake failure');
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });

  it('shares one build between concurrent callers', async () => {
    writeFakeGo();
    const slowEnv = { ...env, FAKE_GO_DELAY_MS: '1500' };
    const [a, b] = await Promise.all([
      resolveTemporalCli({ log, env: slowEnv }),
      resolveTemporalCli({ log, env: slowEnv }),
    ]);
    expect(goInvocations()).toHaveLength(1);
    expect(a.path).toBe(b.path);
    expect([a.source, b.source].sort()).toEqual(['built', 'cache']);
  });

  it('takes over a lock left by a dead process', async () => {
    writeFakeGo();
    const cacheDir = temporalCliCacheDir(env);
    fs.mkdirSync(cacheDir, { recursive: true });
    // The pid of a process that has certainly exited.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    fs.writeFileSync(path.join(cacheDir, '.build.lock'), String(deadPid));
    expect((await resolveTemporalCli({ log, env })).source).toBe('built');
    expect(fs.existsSync(path.join(cacheDir, '.build.lock'))).toBe(false);
  });

  it('falls back to the SDK download when Go is missing, explaining why', async () => {
    expect(await resolveTemporalCli({ log, env })).toEqual({ path: '', source: 'sdk-download' });
    expect(logs).toEqual([expect.stringMatching(/Go is not on PATH.*@temporalio\/testing will download its own dev server.*internet/)]);
  });

  it('does not build when allowBuild is false', async () => {
    writeFakeGo();
    expect(await resolveTemporalCli({ log, env, allowBuild: false })).toEqual({ path: '', source: 'sdk-download' });
    expect(goInvocations()).toEqual([]);
    expect(logs[0]).toContain('allowBuild: false');
  });
});
