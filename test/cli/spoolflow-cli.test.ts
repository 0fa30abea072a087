/**
 * The `spoolflow` command as other systems call it: catalog and plan need no server; invalid
 * input exits with code 2 and names the field and the rule, before anything is started.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { STARTABLE, startableById } from '../../machines/startable';

const CLI = path.join(__dirname, '..', '..', 'cli', 'spoolflow.js');

function spoolflow(args: string[], stdin?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { input: stdin, encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('catalog lists every procedure with a JSON Schema and an example input that its schema accepts', () => {
  const { code, stdout } = spoolflow(['catalog']);
  expect(code).toBe(0);
  const entries = JSON.parse(stdout) as { id: string; workflowType: string; taskQueue: string; inputSchema: { type: string }; exampleInput: unknown }[];
  expect(entries.map((e) => e.id)).toEqual(STARTABLE.map((p) => p.id));
  for (const entry of entries) {
    expect(entry).toMatchObject({ taskQueue: 'spoolflow-central', inputSchema: { type: 'object' } });
    expect(startableById(entry.id).inputSchema.safeParse(entry.exampleInput).success).toBe(true);
  }
});

test('plan prints the steps for an input read from standard input, with no server running', () => {
  const example = (JSON.parse(spoolflow(['catalog']).stdout) as { exampleInput: unknown }[])[0]?.exampleInput;
  const { code, stdout } = spoolflow(['plan', 'restart-group-without-cache-deletion', '--input', '-'], JSON.stringify(example));
  expect(code).toBe(0);
  const steps = JSON.parse(stdout) as { order: number; action: string; host?: string }[];
  expect(steps[0]).toMatchObject({ order: 1, action: 'check-management-server' });
  expect(steps.filter((s) => s.action === 'stop-service').map((s) => s.host)).toContain('spoc-lon-2');
});

test('invalid input exits with code 2 and names the field and the rule', () => {
  const { code, stderr, stdout } = spoolflow(['plan', 'restart-group-with-cache-deletion', '--input', '-'], JSON.stringify({ group: 'g', members: [{ host: 'a', installDir: 'C:\\' }, { host: 'b', installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon Bundled Etcd'] }] }));
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toContain('members.0.installDir: the install folder "C:\\" is a drive root');
  expect(stderr).toContain('members.1.otherServices.0: "Dispatcher Paragon Bundled Etcd" is a protected service');
});

test('start with invalid input is refused before any connection is tried', () => {
  const { code, stderr } = spoolflow(['start', 'restart-group-without-cache-deletion', '--input', '-'], '{"group":"g","members":[]}');
  expect(code).toBe(2);
  expect(stderr).toContain('members: a SPOC group has at least two SPOC servers');
});

test('an unknown procedure or command is a usage error', () => {
  expect(spoolflow(['plan', 'reboot-everything', '--input', '-'], '{}')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown procedure "reboot-everything"') });
  expect(spoolflow(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') });
});

test('an order submitted from the CLI is checked before any connection is tried', () => {
  const { code, stderr } = spoolflow(['operator', 'jobscheduler-cluster-munich', 'submitOrder', '--chain', 'etl', '--order', 'o 1']);
  expect(code).toBe(2);
  expect(stderr).toContain('order: must be an order id');
  expect(spoolflow(['operator', 'jobscheduler-cluster-munich', 'submitOrder', '--order', 'o-1'])).toMatchObject({ code: 2, stderr: expect.stringContaining('chain') });
});

test('--operator and --reason go with every operator command and are checked before any connection is tried', () => {
  const blank = spoolflow(['operator', 'spoc-group-london', 'retry', '--operator', '  ', '--reason', 'host checked']);
  expect(blank).toMatchObject({ code: 2, stderr: expect.stringContaining('operator: must not be blank') });
  expect(spoolflow(['operator', 'spoc-group-london', 'abort', '--reason', ' '])).toMatchObject({ code: 2, stderr: expect.stringContaining('reason: must not be blank') });
  expect(spoolflow(['operator', 'spoc-group-london', 'retry', '--chain', 'etl'])).toMatchObject({ code: 2, stderr: expect.stringContaining('chain: unknown field "chain"') });
  // A valid command gets as far as connecting (to nowhere, here): the flags were taken, not dropped.
  expect(spoolflow(['operator', 'spoc-group-london', 'skip', '--operator', 'ann', '--reason', 'host checked']).code).toBe(1);
});

test('a reader that stops early (spoolflow catalog | head) ends the command quietly, not with an EPIPE crash', () => {
  const run = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" catalog | head -c 20 > /dev/null`], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
});
