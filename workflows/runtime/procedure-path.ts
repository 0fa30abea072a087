/**
 * The record of what the procedure did: the path of steps (effects, waits, operator commands) that
 * `status` shows, and the operator commands that go into the result with who gave them and why.
 * Both travel to the next run when the workflow continues as new, so the record is never cut short.
 */
import type { MachineEvent } from '../../machines/core/machine-directives';
import type { OperatorCommandRecord, PathEntry } from '../operator-messages';
import type { ResumeState } from './resume-state';

/** The path keeps the latest entries only: it travels with every `status` answer. */
const PATH_KEPT = 200;

export class ProcedurePath {
  /** The latest entries, oldest first; entries change in place as their step ends. */
  readonly entries: PathEntry[];
  readonly operatorCommands: OperatorCommandRecord[];
  private taken: number;

  constructor(resume?: ResumeState) {
    this.entries = resume ? [...resume.path] : [];
    this.taken = resume?.stepsTaken ?? 0;
    this.operatorCommands = resume?.operatorCommands ? [...resume.operatorCommands] : [];
  }

  /** Every step taken since the procedure began, also those no longer kept. */
  get stepsTaken(): number {
    return this.taken;
  }

  record(entry: PathEntry): void {
    this.entries.push(entry);
    this.taken += 1;
    if (this.entries.length > PATH_KEPT) this.entries.splice(0, this.entries.length - PATH_KEPT);
  }

  /** An operator command goes into the path and the result, with who gave it and why. */
  noteOperatorCommand(event: MachineEvent, step: string): void {
    const { operator, reason } = event as { operator?: string; reason?: string };
    const at = new Date().toISOString();
    this.operatorCommands.push({ type: event.type, step, at, ...(operator ? { operator } : {}), ...(reason ? { reason } : {}) });
    const by = operator ? ` by ${operator}` : '';
    this.record({ step, action: event.type, title: `Operator: ${event.type.replace(/^operator\./, '')}${by}${reason ? ` (${reason})` : ''}`, startedAt: at, endedAt: at, outcome: 'done', ...(operator ? { operator } : {}), ...(reason ? { reason } : {}) });
  }

  /** The newest entry, what the procedure is doing now. */
  latest(): PathEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  /** The wait entry of a timer the previous run started, so the run that fires it closes it. */
  runningWaitOf(timerId: string): PathEntry | undefined {
    return [...this.entries].reverse().find((p) => p.action === 'wait' && p.outcome === 'running' && p.timer === timerId);
  }

  /** The machine's output with the operator commands the procedure took, when it is a record. */
  resultWith(output: unknown): unknown {
    if (output === null || typeof output !== 'object' || Array.isArray(output)) return output;
    return { ...output, operatorCommands: this.operatorCommands };
  }
}
