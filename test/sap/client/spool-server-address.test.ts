/**
 * A spool server is named by its system's SID and its own name. The SID is three characters, so
 * no two servers of two systems share a dispatcher's workflow id or a work-process queue; a name
 * that breaks the rule is refused, field named, before anything is sent (clients, command line).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import type { Client } from '@temporalio/client';
import { InvalidInputError } from '../../../machines/core/input-errors';
import { checkSpoolServerAddress, parseSpoolDispatcherInput, spoolDispatcherWorkflowId } from '../../../machines/sap/spool-dispatcher-input';
import { sapWorkProcessTaskQueue } from '../../../workflows/task-queues';
import { submitSpoolTask } from '../../../client/sap-spool-submit';
import { shutDownSpoolServer, spoolServerShutdownOf } from '../../../client/sap-spool-shutdown';
import { spoolServerView } from '../../../cli/sap-spool-actions';

const CLI = path.join(__dirname, '..', '..', '..', 'cli', 'spoolflow.js');
const DISPATCHER = { server: 'spool1', release: '4.6C', workProcesses: 4 };

/** A client that fails the test if a call reaches it. */
const unreachable = new Proxy({}, { get: (_t, prop) => { throw new Error(`the client was used (${String(prop)})`); } }) as Client;

function isAddress(system: string, server: string): boolean {
  try {
    checkSpoolServerAddress(system, server);
    return true;
  } catch {
    return false;
  }
}

describe('which spool server a name means', () => {
  test.each(['prd-eu', 'full', 'PRD', '1ab', 'pr', 'pr_'])('a system "%s" is not a SID: refused naming the field and the rule', (system) => {
    expect(() => parseSpoolDispatcherInput({ ...DISPATCHER, system })).toThrow(/system: must be the SAP system id \(SID\) in lower case: three letters or digits, the first a letter/);
    expect(() => checkSpoolServerAddress(system, 'spool1')).toThrow(InvalidInputError);
  });

  test('a SID with a server name is taken', () => {
    expect(parseSpoolDispatcherInput({ ...DISPATCHER, system: 'p01' })).toMatchObject({ system: 'p01', server: 'spool1' });
    expect(() => checkSpoolServerAddress('prd', 'eu-spool1')).not.toThrow();
  });

  test('two different servers never share a dispatcher or a work-process queue', () => {
    // Small alphabets, so that names that could run into each other come up often.
    const server = fc.stringMatching(/^[ab1-]{1,6}$/);
    const system = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[ab][ab1]{2}$/) }, { weight: 1, arbitrary: server });
    fc.assert(
      fc.property(system, server, system, server, (systemA, serverA, systemB, serverB) => {
        fc.pre(isAddress(systemA, serverA) && isAddress(systemB, serverB) && (systemA !== systemB || serverA !== serverB));
        expect(spoolDispatcherWorkflowId(systemA, serverA)).not.toBe(spoolDispatcherWorkflowId(systemB, serverB));
        expect(sapWorkProcessTaskQueue(systemA, serverA)).not.toBe(sapWorkProcessTaskQueue(systemB, serverB));
      }),
      { numRuns: 2000, examples: [['prd', 'eu-spool1', 'prd-eu', 'spool1']] },
    );
  });

  test('a dispatcher begun before the rule goes on under its longer name in its later runs', () => {
    expect(parseSpoolDispatcherInput({ ...DISPATCHER, system: 'prd-eu' }, { underOlderRule: true })).toMatchObject({ system: 'prd-eu' });
    expect(() => parseSpoolDispatcherInput({ ...DISPATCHER, system: 'PRD' }, { underOlderRule: true })).toThrow(/system: lower-case letters/);
  });

  test('the clients refuse a system that is not a SID before anything is sent', async () => {
    const task = { kind: 'output' as const, id: 'a-1', device: 'lp01', sequence: false, frontend: false };
    await expect(submitSpoolTask(unreachable, 'prd-eu', 'spool1', task)).rejects.toThrow(/system: must be the SAP system id/);
    await expect(shutDownSpoolServer(unreachable, 'prd-eu', 'spool1', { reassignTo: 'spool2' })).rejects.toThrow(/system: must be the SAP system id/);
    await expect(spoolServerShutdownOf(unreachable, 'prd', 'Spool1')).rejects.toThrow(/server: lower-case letters/);
    await expect(spoolServerView(unreachable, 'prd-eu', 'spool1')).rejects.toThrow(InvalidInputError);
  });

  test.each([
    [['sap', 'status', 'prd-eu', 'spool1']],
    [['sap', 'shutdown', 'prd-eu', 'spool1', '--to', 'spool2']],
  ])('spoolflow %j exits 2 naming the system before connecting', (args) => {
    // Nothing listens on port 1: a command that tried to connect would fail otherwise.
    const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, timeout: 60_000 });
    expect(run.stderr).toMatch(/system: must be the SAP system id \(SID\)/);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
  });
});
