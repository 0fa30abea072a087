/**
 * `spoolflow chart`: Mermaid text by default and with --mermaid, the SVG statechart with --svg, on
 * standard output or into the file after --out; no server needed for a procedure's chart.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');

function spoolflow(args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('chart --svg prints the SVG statechart of the procedure, with a box per state', () => {
  const { code, stdout } = spoolflow(['chart', 'supervise-passive-cluster', '--svg']);
  expect(code).toBe(0);
  expect(stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg" class="state-chart"')).toBe(true);
  expect(stdout.trimEnd().endsWith('</svg>')).toBe(true);
  expect(stdout).toContain('data-state-id="passiveClusterSupervisor.supervising.deciding"');
  expect(stdout).toContain('>decided(fence-dead)</text>');
});

test('chart prints Mermaid by default and with --mermaid, and --out writes the chart to a file instead', () => {
  const plain = spoolflow(['chart', 'supervise-active-cluster']);
  expect(plain.code).toBe(0);
  expect(plain.stdout.startsWith('stateDiagram-v2\n')).toBe(true);
  expect(spoolflow(['chart', 'supervise-active-cluster', '--mermaid']).stdout).toBe(plain.stdout);
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'spoolflow-chart-')), 'chart.svg');
  const written = spoolflow(['chart', 'supervise-active-cluster', '--svg', '--out', out]);
  expect(written).toMatchObject({ code: 0, stdout: '' });
  expect(readFileSync(out, 'utf8')).toMatch(/^<svg [^>]*data-machine-id="activeClusterSupervisor"/);
});

test('chart refuses --svg with --mermaid, and an unknown procedure, with exit code 2', () => {
  const both = spoolflow(['chart', 'supervise-active-cluster', '--svg', '--mermaid']);
  expect(both).toMatchObject({ code: 2, stdout: '' });
  expect(both.stderr).toContain('chart takes --svg or --mermaid, not both');
  const unknown = spoolflow(['chart', 'no-such-procedure', '--svg']);
  expect(unknown).toMatchObject({ code: 2, stdout: '' });
  expect(unknown.stderr).toContain('unknown procedure "no-such-procedure"');
});
