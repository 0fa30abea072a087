/**
 * State charts of the machines: every runbook step is a box, the edges say what moves the
 * procedure on, and a running procedure's step is highlighted (red when halted).
 */
import { and } from 'xstate';
import { guardLabel, mermaidChart } from '../../client/state-chart';
import { behaviourSince } from '../../machines/core/behaviour-changes';
import { PROCEDURES } from '../../machines/catalog';
import { passiveClusterSupervisorMachine } from '../../machines/jobscheduler/passive-cluster-supervisor';
import { restartGroupWithoutCacheDeletionMachine } from '../../machines/spoc/restart-group-without-cache-deletion';

test('each step of the restart is one box, chained by "done" in runbook order', () => {
  const chart = mermaidChart(restartGroupWithoutCacheDeletionMachine);
  expect(chart.startsWith('stateDiagram-v2\n')).toBe(true);
  expect(chart).toContain('state "memberStopSpoc: Step 1: stop the Spooler Controller (SPOC). [halts on failure]" as memberStopSpoc');
  expect(chart).toContain('memberStopSpoc --> memberStopGroupService : done');
  expect(chart).toContain('memberVerifyGroupService --> memberStartGroupService : operator.startGroupService');
  expect(chart).toContain('restartGroupWithoutCacheDeletion_procedure --> restartGroupWithoutCacheDeletion_aborting : operator.abort');
  expect(chart).toContain('restartGroupWithoutCacheDeletion_procedure_memberConvergenceWait --> restartGroupWithoutCacheDeletion_procedure_memberNextMember : after convergence');
  // The inner states of a step (running, halted) are not drawn.
  expect(chart).not.toMatch(/memberStopSpoc_running|memberStopSpoc_halted/);
});

test('the current step of a running procedure is highlighted, in red when halted', () => {
  const value = { procedure: { memberAwaitOnline: 'halted' } };
  expect(mermaidChart(restartGroupWithoutCacheDeletionMachine, { value, halted: true })).toContain('class memberAwaitOnline halted');
  expect(mermaidChart(restartGroupWithoutCacheDeletionMachine, { value: { procedure: 'memberConvergenceWait' } })).toContain(
    'class restartGroupWithoutCacheDeletion_procedure_memberConvergenceWait active',
  );
});

test('every procedure of the catalog has a chart in which every edge joins declared boxes', () => {
  for (const procedure of PROCEDURES) {
    const chart = mermaidChart(procedure.machine);
    const declared = new Set([...chart.matchAll(/ as (\w+)$|^\s*state (\w+) \{$/gm)].map((m) => m[1] ?? m[2]));
    for (const [, from, to] of chart.matchAll(/^\s*(\w+) --> (\w+)/gm)) {
      expect({ procedure: procedure.id, from: declared.has(from as string), to: declared.has(to as string) }).toEqual({ procedure: procedure.id, from: true, to: true });
    }
  }
});

test('a branch is labelled with the name of its guard, static params included, and the branch after it "otherwise"', () => {
  const restart = mermaidChart(restartGroupWithoutCacheDeletionMachine);
  expect(restart).toContain('restartGroupWithoutCacheDeletion_procedure_memberNextMember --> restartGroupWithoutCacheDeletion_procedure_completed : isLastMember');
  expect(restart).toContain('restartGroupWithoutCacheDeletion_procedure_memberNextMember --> memberStopSpoc : otherwise');
  expect(restart).toContain('restartGroupWithoutCacheDeletion_procedure_checkLoad_decide --> restartGroupWithoutCacheDeletion_procedure_checkLoad_done : loadCheckOverridden');
  expect(restart).toContain('restartGroupWithoutCacheDeletion_aborting_nextHost --> restartGroupWithoutCacheDeletion_aborting_finished : nothingLeftToStartAgain');
  const passive = mermaidChart(passiveClusterSupervisorMachine);
  expect(passive).toContain('passiveClusterSupervisor_supervising_deciding --> fenceOnly : decided(fence-dead)');
  expect(passive).toContain('passiveClusterSupervisor_supervising_deciding --> passiveClusterSupervisor_supervising_returnToPrimary : decided(return-to-primary)');
  expect(passive).toContain('passiveClusterSupervisor_supervising_deciding --> watchCluster : otherwise');
});

test('a guard label shows short static params, and only the name when params are computed or would not fit', () => {
  expect(guardLabel(undefined)).toBeUndefined();
  expect(guardLabel('isWindowsMember')).toBe('isWindowsMember');
  expect(guardLabel({ type: 'decided', params: { kind: 'failover' } })).toBe('decided(failover)');
  expect(guardLabel({ type: 'hostIsAtStep', params: { parallelState: 'preflight', step: 0 } })).toBe('hostIsAtStep(parallelState=preflight, step=0)');
  expect(guardLabel({ type: 'isLastMember', params: () => ({ members: [] }) })).toBe('isLastMember');
  expect(guardLabel({ type: 'decided', params: { kind: 'a: b' } })).toBe('decided');
  expect(guardLabel({ type: 'decided', params: { kind: 'x'.repeat(41) } })).toBe('decided');
});

test("a behaviour change's guard is left out of a label (every run since has it), and an `and` of named guards reads as their names", () => {
  expect(guardLabel(behaviourSince('some-change'))).toBeUndefined();
  expect(guardLabel(and([behaviourSince('some-change'), 'notTakenForNow']))).toBe('notTakenForNow');
  expect(guardLabel(and(['isWindowsMember', { type: 'decided', params: { kind: 'failover' } }]))).toBe('isWindowsMember and decided(failover)');
  expect(guardLabel(() => true)).toBe('(unnamed guard)');
  // No edge of any chart shows a `since:` name: Mermaid would end the label at its colon.
  for (const procedure of PROCEDURES) expect(mermaidChart(procedure.machine)).not.toContain('since:');
});
