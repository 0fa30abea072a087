/**
 * Every reachable state and every transition of moving a SPOC, in two steps and in one (their
 * simple paths, 1,600 each, take a minute to walk; every transition checked once covers every
 * path for these invariants): no protected service touched; nothing left stopped unreported at
 * the end; no cache deleted before every member of its group restart is stopped; the old and the
 * new group never down at the same time. (With groups of two, every restart of a move is one with
 * cache deletion, where all members are down on purpose; "one member at a time" is walked for the
 * add and remove blocks in spoc-scenarios.test.ts.)
 */
import { procedureById } from '../../../machines/catalog';
import { parseInput } from '../../../machines/core/input-errors';
import { isProtectedService, SPOC_SERVICE } from '../../../machines/spoc/spoc-services';
import { servicesOf, walkTransitions } from '../../helpers/machine-paths';

const m = (host: string) => ({ host, installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] });
const procedure = procedureById('move-spoc-to-another-group');
const groups = { from: ['a', 'b'], to: ['d', 'e'] };

describe.each(['two-steps', 'one-step'])('every transition of moving a SPOC (%s)', (mode) => {
  const input = parseInput(procedure.inputSchema, procedure.id, { spoc: m('c'), from: { group: 'x', members: groups.from.map(m) }, to: { group: 'y', members: groups.to.map(m) }, mode });
  const { transitions, finals } = walkTransitions(procedure.machine, input);

  test('reaches completion and abort, never touches a protected service, and leaves nothing stopped unreported', () => {
    expect(transitions.length).toBeGreaterThan(200);
    const ends = new Set(finals.map((f) => JSON.stringify(f.value)));
    expect(ends).toEqual(new Set(['"completed"', '"aborted"']));
    expect(transitions.flatMap((t) => t.effects).flatMap(servicesOf).filter(isProtectedService)).toEqual([]);
    for (const end of finals) {
      const out = end.output as { leftStopped: Record<string, string[]>; couldNotStart: Record<string, unknown[]> };
      for (const host of Object.keys(out.leftStopped)) expect(out.couldNotStart[host]).toBeDefined();
    }
  });

  test('deletes a cache only when every member of its group restart is stopped', () => {
    const deletions = transitions.flatMap((t) => t.effects.filter((e) => e.action === 'delete-cache').map((e) => ({ host: 'host' in e ? e.host : '', down: t.to.context.down as Record<string, string[]> })));
    expect(deletions.length).toBeGreaterThan(0);
    for (const { host, down } of deletions) {
      const restart = groups.from.includes(host) ? groups.from : [...groups.to, 'c'];
      expect({ deleting: host, notStopped: restart.filter((h) => !(down[h] ?? []).includes(SPOC_SERVICE)) }).toEqual({ deleting: host, notStopped: [] });
    }
  });

  test('never has a member of the old group and one of the new group down at once: one group at a time', () => {
    for (const t of transitions) {
      const down = Object.keys(t.to.context.down as Record<string, string[]>);
      expect({ oldDown: down.filter((h) => groups.from.includes(h)).length > 0, newDown: down.filter((h) => groups.to.includes(h)).length > 0 }).not.toEqual({ oldDown: true, newDown: true });
    }
  });
});
