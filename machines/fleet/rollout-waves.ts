/**
 * The plan of a fleet rollout, as `spoolflow plan fleet-rollout` prints it: the rules it keeps in
 * the operator's words (N at a time, M per site, the failure budget K, the window, pause and
 * resume) and the waves the rate control gives, computed by asking the rollout's own decision
 * (`decideRollout`) as if every group took as long as the others and none halted. Pure: nothing
 * is started, nothing reaches Temporal.
 */
import { procedureDefinition } from '../procedure-modules';
import { planProcedure } from '../core/plan';
import type { FleetRolloutInput, RolloutTarget } from './rollout-input';
import { applyDecision, decideRollout, RolloutGroup } from './rollout-plan';

export interface PlannedGroup {
  name: string;
  site: string;
  procedure: string;
  workflowId: string;
  hosts: string[];
  /** How many steps its procedure plans (`spoolflow plan <procedure>`), when it can be planned. */
  steps?: number;
}

export interface RolloutWave {
  wave: number;
  /** e.g. "wave 1: prague (site prague), london (site london)". */
  says: string;
  groups: PlannedGroup[];
}

export interface RolloutPlan {
  procedure: 'fleet-rollout';
  runs: string;
  groups: number;
  sites: number;
  rules: string[];
  waves: RolloutWave[];
  note: string;
}

export function planRollout(input: FleetRolloutInput): RolloutPlan {
  const sites = new Set(input.groups.map((g) => g.site)).size;
  return {
    procedure: 'fleet-rollout',
    runs: input.procedure,
    groups: input.groups.length,
    sites,
    rules: rolloutRules(input),
    waves: rolloutWaves(input),
    note: 'Waves as if every group took as long as the others and none halted. In the run a group starts as soon as a place is free within the limits, so the waves overlap; a halted group keeps its place until an operator retries or aborts it.',
  };
}

/** What the rollout promises, in the operator's words. */
export function rolloutRules(input: FleetRolloutInput): string[] {
  const { maxGroupsAtOnce: n, maxGroupsPerSite: m, failureBudget: k } = input.limits;
  const window = input.window;
  return [
    `At most ${n} group(s) at a time, and at most ${m} of one site at a time.`,
    ...(input.limits.secondsBetweenStarts ? [`At least ${input.limits.secondsBetweenStarts} s between two group starts, also when places are free: a wave of w groups takes ${input.limits.secondsBetweenStarts} s × (w - 1) to start.`] : []),
    `Failure budget ${k}: once ${k} group(s) have halted or failed, no new group starts; the groups running go on, the waiting ones are reported not started.`,
    window
      ? `Maintenance window ${window.start} to ${window.end} (${minutesBetween(window.start, window.end)} min): no group starts before its start or from its end on; groups running at its end finish by their own rules, the waiting ones are reported not started.`
      : 'No maintenance window: groups start whenever the limits allow.',
    'Pause and resume at any time: spoolflow rollout pause|resume <workflow id> (running groups go on; nothing starts while paused).',
    `Each group runs as its own procedure under its own workflow id (spoc-group-<group>; a site's standalone servers spoc-standalone-os-restart-<site>), holding its own leases; a group already in maintenance is not started and counts as failed. Running groups are asked every ${input.pollSeconds} s whether they halted.`,
  ];
}

/** The waves: each the groups the decision starts once the previous wave's groups are all done. */
export function rolloutWaves(input: FleetRolloutInput): RolloutWave[] {
  const targets = new Map(input.groups.map((t) => [t.name, t]));
  let groups: RolloutGroup[] = input.groups.map((t) => ({ name: t.name, site: t.site, state: 'waiting' }));
  const waves: RolloutWave[] = [];
  for (;;) {
    // Waves are who starts together as the limits go; the spacing of starts only stretches a wave in time.
    const decision = decideRollout(groups, { ...input.limits, secondsBetweenStarts: 0 }, { now: 0, paused: false });
    if (decision.start.length === 0) return waves;
    const planned = decision.start.flatMap((name) => {
      const target = targets.get(name);
      return target ? [plannedGroup(target)] : [];
    });
    waves.push({ wave: waves.length + 1, says: `wave ${waves.length + 1}: ${planned.map((g) => `${g.name} (site ${g.site})`).join(', ')}`, groups: planned });
    const started = new Set(decision.start);
    groups = applyDecision(groups, decision).map((g) => (started.has(g.name) ? { ...g, state: 'done' } : g));
  }
}

/** A group with the number of steps its procedure plans for its input. */
function plannedGroup(target: RolloutTarget): PlannedGroup {
  const steps = stepCount(target);
  return { name: target.name, site: target.site, procedure: target.procedure, workflowId: target.workflowId, hosts: target.hosts, ...(steps !== undefined ? { steps } : {}) };
}

function stepCount(target: RolloutTarget): number | undefined {
  const procedure = procedureDefinition(target.procedure);
  try {
    return planProcedure(procedure.machine, procedure.inputSchema.parse(target.input)).length;
  } catch {
    return undefined; // a plan that needs an operator's answer: the group still runs, its plan is its own
  }
}

function minutesBetween(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
}
