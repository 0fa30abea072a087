/**
 * A fleet rollout's status as its `status` query answers mid-rollout, for the views that show it
 * (`spoolflow watch`, the chart page): one group done, one running, one halted, one waiting, one
 * not started.
 */
import type { RolloutGroupStatus, RolloutStatus } from '../../workflows/fleet/rollout-messages';

const group = (name: string, state: RolloutGroupStatus['state'], extra: Partial<RolloutGroupStatus> = {}): RolloutGroupStatus => ({
  name,
  site: `site-${name}`,
  procedure: 'restart-group-without-cache-deletion',
  workflowId: `spoc-group-${name}`,
  state,
  haltedOnce: state === 'halted',
  ...extra,
});

export function midRolloutStatus(over: Partial<RolloutStatus> = {}): RolloutStatus {
  const perGroup = [
    group('prague', 'done', { startedAt: '2026-12-05T22:00:00.000Z', endedAt: '2026-12-05T22:10:00.000Z' }),
    group('london', 'running', { startedAt: '2026-12-05T22:10:00.000Z' }),
    group('paris', 'halted', { startedAt: '2026-12-05T22:10:00.000Z', reason: 'Stop the SPOC: the service did not stop within 60 s' }),
    group('berlin', 'waiting'),
    group('oslo', 'not-started', { reason: 'the failure budget is spent: 1 group(s) halted or failed (failureBudget 1)' }),
  ];
  const names = (state: RolloutGroupStatus['state']) => perGroup.filter((g) => g.state === state).map((g) => g.name);
  return {
    procedure: 'fleet-rollout',
    runs: 'restart-group-without-cache-deletion',
    status: 'running',
    holding: 'at the limits: 2 group(s) at a time, 1 per site',
    limits: { maxGroupsAtOnce: 2, maxGroupsPerSite: 1, failureBudget: 1 },
    window: null,
    accepts: ['operator.pause'],
    commands: [],
    continuedAsNew: 0,
    counts: { done: 1, running: 1, halted: 1, waiting: 1, failed: 0, 'not-started': 1 },
    groups: { done: names('done'), running: names('running'), halted: names('halted'), waiting: names('waiting'), failed: [], 'not-started': names('not-started') },
    perGroup,
    ...over,
  };
}
