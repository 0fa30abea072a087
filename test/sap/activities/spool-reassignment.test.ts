/**
 * The move's order at a shutdown, without Temporal: requests are given in turn; once one of a
 * device with a set sequence is refused, the device's later requests are held back, while other
 * devices' requests still go; a failure of the giving ends the round. A target refused as a whole
 * (shut down itself, still shutting down, another server under its id) is refused before anything
 * is given, and says where a shut-down target's requests went.
 */
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSapReassignActivities, giveInOrder } from '../../../activities/sap/spool-reassignment';
import { forwardInDetails, REASSIGN_TARGET_REFUSED, REASSIGN_TARGET_REFUSED_LATE, type SpoolServerShutdown } from '../../../machines/sap/spool-shutdown';
import type { OutputRequest } from '../../../machines/sap/spool-tasks';

const out = (id: string, device: string, sequence: boolean): OutputRequest => ({ kind: 'output', id, device, sequence, frontend: false });

test("a set-sequence device's requests after a refused one are held back; another device's go on", async () => {
  const given: string[] = [];
  const result = await giveInOrder([out('s-1', 'lp01', true), out('p-1', 'lp10', false), out('s-2', 'lp01', true), out('p-2', 'lp10', false), out('s-3', 'lp01', true)], {}, async (r) => {
    given.push(r.id);
    return r.id === 's-1' || r.id === 'p-1' ? `${r.id}: spool server spool2 holds 2 tasks` : null;
  });
  expect(given).toEqual(['s-1', 'p-1', 'p-2']);
  expect(result).toEqual({
    reassigned: ['p-2'],
    refused: [
      { id: 's-1', device: 'lp01', reason: 's-1: spool server spool2 holds 2 tasks' },
      { id: 'p-1', device: 'lp10', reason: 'p-1: spool server spool2 holds 2 tasks' },
      { id: 's-2', device: 'lp01', reason: 'held back: s-1, an earlier request of device lp01 (set sequence), was not taken' },
      { id: 's-3', device: 'lp01', reason: 'held back: s-1, an earlier request of device lp01 (set sequence), was not taken' },
    ],
    heldBack: { lp01: 's-1' },
  });
});

test('a device held back in an earlier round stays held back: its request that came later is not given', async () => {
  const given: string[] = [];
  const result = await giveInOrder([out('s-4', 'lp01', true), out('p-3', 'lp10', false)], { lp01: 's-1' }, async (r) => {
    given.push(r.id);
    return null;
  });
  expect(given).toEqual(['p-3']);
  expect(result.refused).toEqual([{ id: 's-4', device: 'lp01', reason: 'held back: s-1, an earlier request of device lp01 (set sequence), was not taken' }]);
  expect(result.heldBack).toEqual({ lp01: 's-1' });
});

test('a failure of the giving ends the round: nothing after it is given', async () => {
  const given: string[] = [];
  await expect(
    giveInOrder([out('a', 'lp10', false), out('b', 'lp10', false), out('c', 'lp10', false)], {}, async (r) => {
      given.push(r.id);
      if (r.id === 'b') throw new Error('spool2 did not answer');
      return null;
    }),
  ).rejects.toThrow('spool2 did not answer');
  expect(given).toEqual(['a', 'b']);
});

describe('a target refused as a whole', () => {
  /** An activity's client whose every handle is this stand-in for the other dispatcher (what this activity asks of it). */
  const clientOf = (dispatcher: { query: () => Promise<unknown>; executeUpdate?: (update: unknown, options: { args: [{ id: string }] }) => Promise<unknown> }) =>
    ({ withAbortSignal: (_signal: AbortSignal, fn: () => unknown) => fn(), withDeadline: (_deadline: number, fn: () => unknown) => fn(), workflow: { getHandle: () => dispatcher } }) as unknown as Client;
  /** The other dispatcher as its status query answers. */
  const clientSeeing = (status: { system: string; server: string; shutdown: SpoolServerShutdown | null }) => clientOf({ query: async () => status });
  const shutDownTo = (reassignTo: string, phase: SpoolServerShutdown['phase']): SpoolServerShutdown => ({ phase, reassignTo, askedAt: '2026-12-07T12:00:00.000Z', reassigned: 0, notReassigned: [] });
  const input = { system: 'prd', from: 'spool1', to: 'spool2', requests: [out('a-1', 'lp10', false)] };

  async function refusalOn(attempt: number, status: Parameters<typeof clientSeeing>[0]): Promise<ApplicationFailure> {
    const env = new MockActivityEnvironment({ attempt }, { client: clientSeeing(status) });
    const err: unknown = await env.run(createSapReassignActivities().reassignSpoolRequests, input).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  test('shut down itself: refused before anything is given, naming where its requests went; on a later attempt as refused late', async () => {
    const first = await refusalOn(1, { system: 'prd', server: 'spool2', shutdown: shutDownTo('spool3', 'shut-down') });
    expect(first).toMatchObject({ type: REASSIGN_TARGET_REFUSED, nonRetryable: true, message: 'spool server spool2 is shut down itself' });
    expect(forwardInDetails(first.details)).toBe('spool3');
    // An earlier attempt may have given requests to spool2: the dispatcher keeps its target then.
    const later = await refusalOn(2, { system: 'prd', server: 'spool2', shutdown: shutDownTo('spool3', 'shut-down') });
    expect(later).toMatchObject({ type: REASSIGN_TARGET_REFUSED_LATE, nonRetryable: true });
  });

  test('still shutting down, or the dispatcher of another server under its id: refused with no forward', async () => {
    const holding = await refusalOn(1, { system: 'prd', server: 'spool2', shutdown: shutDownTo('spool3', 'holding') });
    expect(holding.message).toBe('spool server spool2 is shutting down itself: name another spool server of prd');
    expect(forwardInDetails(holding.details)).toBeUndefined();
    const other = await refusalOn(1, { system: 'prd-eu', server: 'spool2', shutdown: null });
    expect(other.message).toBe('sap-spool-dispatcher-prd-spool2 is the dispatcher of spool server spool2 of system prd-eu, not of spool2 of prd: name another spool server');
    expect(forwardInDetails(other.details)).toBeUndefined();
  });

  test('a target whose dispatcher does not answer its looks is refused as a whole, nothing given: on a first attempt so the target may change, on a later one as refused late', async () => {
    const given: string[] = [];
    const silent = clientOf({
      query: async () => {
        throw new Error('Failed to query Workflow', { cause: new Error('Timeout expired') });
      },
      executeUpdate: async (_update, { args }) => given.push(args[0].id),
    });
    const refusal = async (attempt: number) => new MockActivityEnvironment({ attempt }, { client: silent }).run(createSapReassignActivities().reassignSpoolRequests, input).then(() => undefined, (e: unknown) => e as ApplicationFailure);
    const first = await refusal(1);
    expect(first).toMatchObject({ type: REASSIGN_TARGET_REFUSED, nonRetryable: true });
    expect(first?.message).toBe('the dispatcher of spool server spool2 of prd (sap-spool-dispatcher-prd-spool2) did not answer its status query (Failed to query Workflow: Timeout expired): its worker may be down, or its workflow task failing; the move tries it again, or name another spool server');
    expect(await refusal(2)).toMatchObject({ type: REASSIGN_TARGET_REFUSED_LATE, nonRetryable: true });
    expect(given).toEqual([]);
  });

  test('a look that fails for a moment is made again; a target that answers then is given the requests', async () => {
    let looks = 0;
    const given: string[] = [];
    const client = clientOf({
      query: async () => {
        looks += 1;
        if (looks < 2) throw new Error('Failed to query Workflow');
        return { system: 'prd', server: 'spool2', shutdown: null };
      },
      executeUpdate: async (_update, { args }) => {
        given.push(args[0].id);
        return { accepted: 'new', id: args[0].id };
      },
    });
    const env = new MockActivityEnvironment({ attempt: 1 }, { client });
    expect(await env.run(createSapReassignActivities().reassignSpoolRequests, input)).toMatchObject({ reassigned: ['a-1'], refused: [] });
    expect([looks, given]).toEqual([2, ['a-1']]);
  });
});
