/**
 * What a fleet rollout tells: its `status` (also its result) from where its groups are, and the
 * same in the search attributes and the Web UI's current details, rewritten only when it changed.
 * Runs in the workflow sandbox.
 */
import * as wf from '@temporalio/workflow';
import { FLEET_ROLLOUT } from '../../machines/fleet/fleet-rollout';
import type { FleetRolloutInput } from '../../machines/fleet/rollout-input';
import { RolloutGroup, rolloutFinished, tallyRollout } from '../../machines/fleet/rollout-plan';
import { HALTED_KEY, STEP_KEY } from '../search-attributes';
import type { RolloutCommandRecord, RolloutStatus } from './rollout-messages';

export interface GroupTimes {
  startedAt?: string;
  endedAt?: string;
}

export interface RolloutMomentView {
  paused: boolean;
  holding: string | undefined;
  commands: RolloutCommandRecord[];
  continuedAsNew: number;
}

export function rolloutStatus(input: FleetRolloutInput, groups: RolloutGroup[], times: Map<string, GroupTimes>, now: RolloutMomentView): RolloutStatus {
  const finished = rolloutFinished(groups);
  const waiting = groups.some((g) => g.state === 'waiting');
  return {
    procedure: 'fleet-rollout',
    runs: input.procedure,
    status: finished ? 'done' : now.paused ? 'paused' : 'running',
    holding: now.holding ?? null,
    limits: input.limits,
    window: input.window ?? null,
    accepts: !waiting ? [] : now.paused ? ['operator.resume'] : ['operator.pause'],
    commands: [...now.commands],
    continuedAsNew: now.continuedAsNew,
    ...tallyRollout(groups),
    perGroup: input.groups.map((t) => {
      const g = groups.find((x) => x.name === t.name);
      return { name: t.name, site: t.site, procedure: t.procedure, workflowId: t.workflowId, state: g?.state ?? 'waiting', haltedOnce: g?.haltedOnce === true, ...times.get(t.name), ...(g?.reason ? { reason: g.reason } : {}) };
    }),
  };
}

/**
 * Search attributes and the Web UI's current details, when what they say changed; returns what
 * they say now. With `attributesOnlyWhenTheyChange` (new runs) the search attributes are written
 * only when their own values change: a count or the holding text changes the details alone, and
 * each upsert is a history event and a visibility write (a spaced rollout changed its holding
 * text twice a start). Before, any change of the details wrote them too.
 */
export function report(status: RolloutStatus, last: string, attributesOnlyWhenTheyChange = false): string {
  const c = status.counts;
  const line = `${c.done} done, ${c.running} running, ${c.halted} halted, ${c.waiting} waiting, ${c.failed} failed, ${c['not-started']} not started`;
  const attributes = `${status.status}|${c.halted > 0}`;
  const key = `${attributes}|${line}|${status.holding ?? ''}`;
  if (key === last) return last;
  if (!attributesOnlyWhenTheyChange || !last.startsWith(`${attributes}|`)) {
    wf.upsertSearchAttributes([
      { key: STEP_KEY, value: status.status },
      { key: HALTED_KEY, value: c.halted > 0 },
    ]);
  }
  const names = (label: string, list: string[]) => (list.length > 0 ? [`- ${label}: ${list.join(', ')}`] : []);
  wf.setCurrentDetails(
    [
      `**${FLEET_ROLLOUT.id}**: ${status.runs}, ${status.status}`,
      '',
      line,
      ...(status.holding ? ['', `Holding: ${status.holding}`] : []),
      '',
      ...names('running', status.groups.running),
      ...names('halted', status.groups.halted),
      ...names('failed', status.groups.failed),
      ...names('not started', status.groups['not-started']),
      '',
      `Operator: ${status.accepts.join(', ') || 'nothing to pause'} (Update \`operator\`).`,
    ].join('\n'),
  );
  return key;
}
