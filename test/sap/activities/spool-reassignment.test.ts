/**
 * The move's order at a shutdown, without Temporal: requests are given in turn; once one of a
 * device with a set sequence is refused, the device's later requests are held back, while other
 * devices' requests still go; a failure of the giving ends the round.
 */
import { giveInOrder } from '../../../activities/sap/spool-reassignment';
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
