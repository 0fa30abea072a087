/**
 * The fleet rollout workflow: validate the input (a bad one fails the run before any group
 * starts, naming the field and the rule), then, until every group ended or will never start, ask
 * the pure planner which groups start now and start each as a child procedure (the catalog's
 * workflow of that procedure, id `spoc-group-<group>`), which takes its own leases. It learns
 * that a group ended from the child's result, and that one halted by asking it (`status`) every
 * `pollSeconds`. The procedure workflow is not changed.
 */
import * as wf from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { RolloutActivities } from '../../activities/fleet/group-procedure-look';
import { procedureById } from '../../machines/catalog';
import { describeIssues, InvalidInputError, parseInput } from '../../machines/core/input-errors';
import { FLEET_ROLLOUT } from '../../machines/fleet/fleet-rollout';
import type { FleetRolloutInput, RolloutTarget } from '../../machines/fleet/rollout-input';
import { applyDecision, decideRollout, RolloutGroup, rolloutFinished, tallyRollout } from '../../machines/fleet/rollout-plan';
import { runDetails, runSummary } from '../run-description';
import { HALTED_KEY, PROCEDURE_KEY, STEP_KEY } from '../search-attributes';
import { CENTRAL_TASK_QUEUE } from '../task-queues';
import { RolloutCommand, rolloutCommandSchema, RolloutCommandRecord, rolloutOperatorUpdate, RolloutStatus, rolloutStatusQuery, ROLLOUT_UPDATE_DESCRIPTION } from './rollout-messages';

const look = (summary: string) =>
  wf.proxyActivities<RolloutActivities>({
    taskQueue: CENTRAL_TASK_QUEUE,
    startToCloseTimeout: '2 min',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
    summary,
  });

interface GroupTimes {
  startedAt?: string;
  endedAt?: string;
}

export async function runFleetRollout(rawInput: unknown): Promise<RolloutStatus> {
  const input = parseRolloutInput(rawInput);
  const targets = new Map(input.groups.map((t) => [t.name, t]));
  let groups: RolloutGroup[] = input.groups.map((t) => ({ name: t.name, site: t.site, state: 'waiting' }));
  const times = new Map<string, GroupTimes>();
  const commands: RolloutCommandRecord[] = [];
  let paused = false;
  let holding: string | undefined;
  let changed = false;

  const update = (name: string, change: Partial<RolloutGroup>) => {
    groups = groups.map((g) => (g.name === name ? { ...g, ...change } : g));
    changed = true;
  };
  const statusNow = (): RolloutStatus => rolloutStatus(input, groups, times, { paused, holding, commands });

  wf.setHandler(rolloutStatusQuery, statusNow);
  wf.setHandler(
    rolloutOperatorUpdate,
    (command) => {
      const parsed = rolloutCommandSchema.parse(command);
      paused = parsed.type === 'operator.pause';
      commands.push(commandRecord(parsed));
      changed = true;
      return statusNow();
    },
    {
      description: ROLLOUT_UPDATE_DESCRIPTION,
      validator: (command) => {
        const parsed = rolloutCommandSchema.safeParse(command);
        if (!parsed.success) throw new Error(`invalid rollout command: ${describeIssues(parsed.error.issues)}`);
        const accepts = statusNow().accepts;
        if (!accepts.includes(parsed.data.type)) throw new Error(`"${parsed.data.type}" is not possible now; the rollout accepts: ${accepts.join(', ') || 'nothing (no group waits)'}`);
      },
    },
  );
  wf.upsertSearchAttributes([{ key: PROCEDURE_KEY, value: FLEET_ROLLOUT.id }]);

  const startGroup = async (target: RolloutTarget) => {
    times.set(target.name, { startedAt: new Date().toISOString() });
    const ended = (change: Partial<RolloutGroup>) => {
      times.set(target.name, { ...times.get(target.name), endedAt: new Date().toISOString() });
      update(target.name, change);
    };
    try {
      const child = await wf.startChild(procedureById(target.procedure).workflowType, childOptions(target));
      void child.result().then(
        (output) => ended(outcomeOf(output)),
        (err: unknown) => ended({ state: 'failed', reason: failureMessage(err) }),
      );
    } catch (err) {
      const why = err instanceof WorkflowExecutionAlreadyStartedError ? `a procedure is already running as ${target.workflowId}` : failureMessage(err);
      ended({ state: 'failed', reason: `not started: ${why}` });
    }
  };

  let lastReport = '';
  for (;;) {
    // Reset before deciding: whatever changes from here on (a child ending while another starts) wakes the loop again.
    changed = false;
    const decision = decideRollout(groups, input.limits, { now: Date.now(), window: windowMs(input), paused });
    groups = applyDecision(groups, decision);
    holding = decision.holding;
    for (const name of decision.start) {
      const target = targets.get(name);
      if (target) await startGroup(target);
    }
    lastReport = report(statusNow(), lastReport);
    if (rolloutFinished(groups)) break;
    const running = groups.filter((g) => g.state === 'running' || g.state === 'halted');
    // At least 1 ms: the boundary may have passed while groups were being started, and a timer needs a duration.
    const wakeIn = decision.wakeAt !== undefined ? Math.max(decision.wakeAt - Date.now(), 1) : undefined;
    const pollIn = running.length > 0 ? input.pollSeconds * 1000 : undefined;
    const timeout = minDefined(wakeIn, pollIn);
    const woken = timeout === undefined ? (await wf.condition(() => changed), true) : await wf.condition(() => changed, timeout);
    if (!woken && running.length > 0) await lookForHalts(running.map((g) => g.name));
  }
  await wf.condition(wf.allHandlersFinished);
  return statusNow();

  /** Asks the running groups' procedures whether they are halted: halted counts against the budget. */
  async function lookForHalts(names: string[]): Promise<void> {
    const byId = new Map(names.map((n) => [targets.get(n)?.workflowId ?? n, n]));
    const looks = await look(`ask ${names.length} running group procedure(s) whether halted`).lookAtGroupProcedures([...byId.keys()]);
    for (const seen of looks) {
      const name = byId.get(seen.workflowId);
      const group = groups.find((g) => g.name === name);
      if (!name || !group || seen.status === 'unknown') continue;
      if (seen.status === 'halted' && group.state === 'running') update(name, { state: 'halted', haltedOnce: true, ...(seen.reason ? { reason: seen.reason } : {}) });
      if (seen.status === 'running' && group.state === 'halted') update(name, { state: 'running' });
    }
  }
}

function parseRolloutInput(rawInput: unknown): FleetRolloutInput {
  try {
    return parseInput(FLEET_ROLLOUT.inputSchema, FLEET_ROLLOUT.id, rawInput);
  } catch (err) {
    if (err instanceof InvalidInputError) throw wf.ApplicationFailure.nonRetryable(err.message, err.name);
    throw err;
  }
}

/**
 * The child procedure as the CLI would start it: its id by convention, the input as given (it
 * validates it again), its summary and details. Abandoned when the rollout ends: a group in the
 * middle of its restart must finish or be aborted by its own rules, never be cut off.
 */
function childOptions(target: RolloutTarget): wf.ChildWorkflowOptions & { args: unknown[] } {
  const procedure = procedureById(target.procedure);
  const parsed = procedure.inputSchema.parse(target.input);
  return {
    workflowId: target.workflowId,
    taskQueue: CENTRAL_TASK_QUEUE,
    args: [target.input],
    parentClosePolicy: wf.ParentClosePolicy.ABANDON,
    staticSummary: runSummary(procedure, parsed),
    staticDetails: runDetails(procedure, parsed),
  };
}

/** A procedure that completed did its work; one that ended aborted did not. */
function outcomeOf(output: unknown): Partial<RolloutGroup> {
  const outcome = (output as { outcome?: string } | null)?.outcome;
  if (outcome === undefined || outcome === 'completed') return { state: 'done' };
  const why = (output as { abortReason?: string | null }).abortReason;
  return { state: 'failed', reason: `ended ${outcome}${why ? `: ${why}` : ''}` };
}

function failureMessage(err: unknown): string {
  if (err instanceof wf.ChildWorkflowFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

function commandRecord(command: RolloutCommand): RolloutCommandRecord {
  return { type: command.type, at: new Date().toISOString(), ...(command.operator ? { operator: command.operator } : {}), ...(command.reason ? { reason: command.reason } : {}) };
}

function windowMs(input: FleetRolloutInput): { start: number; end: number } | undefined {
  return input.window ? { start: Date.parse(input.window.start), end: Date.parse(input.window.end) } : undefined;
}

function minDefined(...values: (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}

function rolloutStatus(input: FleetRolloutInput, groups: RolloutGroup[], times: Map<string, GroupTimes>, now: { paused: boolean; holding: string | undefined; commands: RolloutCommandRecord[] }): RolloutStatus {
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
    ...tallyRollout(groups),
    perGroup: input.groups.map((t) => {
      const g = groups.find((x) => x.name === t.name);
      return { name: t.name, site: t.site, procedure: t.procedure, workflowId: t.workflowId, state: g?.state ?? 'waiting', haltedOnce: g?.haltedOnce === true, ...times.get(t.name), ...(g?.reason ? { reason: g.reason } : {}) };
    }),
  };
}

/** Search attributes and the Web UI's current details, when what they say changed. */
function report(status: RolloutStatus, last: string): string {
  const c = status.counts;
  const line = `${c.done} done, ${c.running} running, ${c.halted} halted, ${c.waiting} waiting, ${c.failed} failed, ${c['not-started']} not started`;
  const key = `${status.status}|${line}|${status.holding ?? ''}`;
  if (key === last) return last;
  wf.upsertSearchAttributes([
    { key: STEP_KEY, value: status.status },
    { key: HALTED_KEY, value: c.halted > 0 },
  ]);
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
