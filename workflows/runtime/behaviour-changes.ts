/**
 * Which behaviour changes of its machine this run has (machines/core/behaviour-changes.ts): each
 * is a `wf.patched` marker asked once, before the run's first command, and the machine runs with
 * its `since:` guards answering so. A run recorded before a change has no marker and replays with
 * the guard false; a new run (and the next run of an old chain) records the marker and has it.
 * Asking at the start, not as a guard is evaluated, keeps the markers out of queries and Update
 * validators, which evaluate guards too and must not record anything.
 */
import * as wf from '@temporalio/workflow';
import type { AnyStateMachine } from 'xstate';
import { behaviourChangesOf, behaviourSince } from '../../machines/core/behaviour-changes';

/** The machine as this run runs it. Call once, before the run's first command. */
export function machineOfThisRun<M extends AnyStateMachine>(machine: M): M {
  const changes = behaviourChangesOf(machine);
  if (changes.length === 0) return machine;
  const guards = Object.fromEntries(
    changes.map((change) => {
      const has = wf.patched(change);
      return [behaviourSince(change), () => has];
    }),
  );
  return machine.provide({ guards }) as M;
}
