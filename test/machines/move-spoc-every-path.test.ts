/**
 * Every path of moving a SPOC, in two steps and in one (each about 1,600 paths: this file takes
 * about two minutes). On each: no protected service touched; nothing left stopped unreported; no
 * cache deleted before every member of its group restart is stopped; the old and the new group
 * are never down at the same time. (With groups of two, every restart of a move is one with cache
 * deletion, where all members are down on purpose; "one member at a time" is walked for the add
 * and remove blocks in spoc-scenarios.test.ts.)
 */
import { procedureById } from '../../machines/catalog';
import { parseInput } from '../../machines/input-errors';
import { isProtectedService, SPOC_SERVICE } from '../../machines/spoc-services';
import { servicesOf, walkPaths } from '../helpers/machine-paths';

const m = (host: string) => ({ host, installDir: 'C:\\DP', otherServices: ['Dispatcher Paragon FlexiSpooler'] });
const procedure = procedureById('move-spoc-to-another-group');
const groups = { from: ['a', 'b'], to: ['d', 'e'] };

describe.each(['two-steps', 'one-step'])('every path of moving a SPOC (%s)', (mode) => {
  const input = parseInput(procedure.inputSchema, procedure.id, { spoc: m('c'), from: { group: 'x', members: groups.from.map(m) }, to: { group: 'y', members: groups.to.map(m) }, mode });
  const paths = walkPaths(procedure.machine, input);

  test('reaches completion and abort, never touches a protected service, and leaves nothing stopped unreported', () => {
    expect(paths.length).toBeGreaterThan(1000);
    const ends = new Set(paths.map((p) => JSON.stringify(p.end.value)));
    expect(ends).toContain('"completed"');
    expect(ends).toContain('"aborted"');
    for (const path of paths) {
      expect(path.steps.flatMap((s) => s.effects).flatMap(servicesOf).filter(isProtectedService)).toEqual([]);
      if (path.end.status === 'done') {
        const out = path.end.output as { leftStopped: Record<string, string[]>; couldNotStart: Record<string, unknown[]> };
        for (const host of Object.keys(out.leftStopped)) expect(out.couldNotStart[host]).toBeDefined();
      }
    }
  });

  test('deletes a cache only when every member of its group restart is stopped', () => {
    let deletions = 0;
    for (const path of paths) {
      for (const step of path.steps) {
        for (const effect of step.effects.filter((e) => e.action === 'delete-cache')) {
          deletions += 1;
          const restart = groups.from.includes(effect.host) ? groups.from : [...groups.to, 'c'];
          const down = step.state.context.down as Record<string, string[]>;
          expect({ deleting: effect.host, notStopped: restart.filter((h) => !(down[h] ?? []).includes(SPOC_SERVICE)) }).toEqual({ deleting: effect.host, notStopped: [] });
        }
      }
    }
    expect(deletions).toBeGreaterThan(0);
  });

  test('never has a member of the old group and one of the new group down at once: one group at a time', () => {
    for (const path of paths) {
      for (const step of path.steps) {
        const down = Object.keys(step.state.context.down as Record<string, string[]>);
        const oldDown = down.filter((h) => groups.from.includes(h));
        const newDown = down.filter((h) => groups.to.includes(h));
        expect(oldDown.length === 0 || newDown.length === 0).toBe(true);
      }
    }
  });
});
