/**
 * What the workflow tells Temporal about itself, for operators who look at the Web UI or search
 * for procedures: the procedure and its hosts once, then, whenever the step, the halt or the
 * status changes, the step and whether it is halted (search attributes) and the current details
 * (the step in the operator's words, the halt and its options, or what it is doing now).
 */
import * as wf from '@temporalio/workflow';
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { currentStep } from '../../machines/core/plan';
import type { ProcedureStatus } from '../operator-messages';
import type { ProcedurePath } from './procedure-path';
import { HALTED_KEY, HOSTS_KEY, PROCEDURE_KEY, STEP_KEY } from '../search-attributes';
import { stepDescription } from './step-description';

/** The search attributes that do not change during the run. */
export function reportProcedure(procedure: string, hosts: string[]): void {
  wf.upsertSearchAttributes([
    { key: PROCEDURE_KEY, value: procedure },
    { key: HOSTS_KEY, value: hosts },
  ]);
}

export class ProgressReport {
  /** Step, halt and status as last reported: nothing is reported again while they stay. */
  private lastReported = '';

  constructor(
    private readonly procedure: string,
    private readonly machine: AnyStateMachine,
    private readonly path: ProcedurePath,
    private readonly subject?: string,
  ) {}

  report(snapshot: AnyMachineSnapshot): void {
    const step = currentStep(snapshot);
    const halt = (snapshot.context as { halt?: ProcedureStatus['halt'] }).halt ?? null;
    const key = `${step}|${halt ? 'halted' : ''}|${snapshot.status}`;
    if (key === this.lastReported) return;
    this.lastReported = key;
    wf.upsertSearchAttributes([
      { key: STEP_KEY, value: step },
      { key: HALTED_KEY, value: halt !== null },
    ]);
    const lines = [`**${this.procedure}**${this.subject ? `: ${this.subject}` : ''}`, '', `Step: \`${step}\``];
    const said = stepDescription(this.machine, snapshot);
    if (said) lines.push('', said);
    if (halt) lines.push('', `**Halted** at "${halt.title}": ${halt.reason}`, '', `Operator options: ${[...halt.options, 'abort'].join(', ')} (Update \`operator\`).`);
    const last = this.path.latest();
    if (!halt && last) lines.push('', `Now: ${last.title}`);
    wf.setCurrentDetails(lines.join('\n'));
  }
}
