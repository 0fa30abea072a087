/**
 * The record of what the procedure did: the path of steps (effects, waits, operator commands) that
 * `status` shows, and the operator commands that go into the result with who gave them and why.
 * Both travel to the next run when the workflow continues as new, each as its latest entries with
 * the count of all: a run that never ends (a cluster's supervisor, whose orders arrive as operator
 * commands) must not carry a record that grows with every command to the payload limit.
 */
import type { MachineEvent } from '../../machines/core/machine-directives';
import type { OperatorCommandRecord, PathEntry } from '../operator-messages';
import type { ResumeState } from './resume-state';

/** The path keeps the latest entries only: it travels with every `status` answer. */
const PATH_KEPT = 200;
/** The latest operator commands kept for the result; the count says how many there were in all. */
export const OPERATOR_COMMANDS_KEPT = 200;

export class ProcedurePath {
  /** The latest entries, oldest first; entries change in place as their step ends. */
  readonly entries: PathEntry[];
  /** The latest operator commands, oldest first. */
  readonly operatorCommands: OperatorCommandRecord[];
  private taken: number;
  private commandsTaken: number;

  constructor(resume?: ResumeState) {
    this.entries = resume ? [...resume.path] : [];
    this.taken = resume?.stepsTaken ?? 0;
    this.operatorCommands = resume?.operatorCommands ? [...resume.operatorCommands] : [];
    this.commandsTaken = resume?.operatorCommandsTaken ?? this.operatorCommands.length;
  }

  /** Every step taken since the procedure began, also those no longer kept. */
  get stepsTaken(): number {
    return this.taken;
  }

  /** Every operator command taken since the procedure began, also those no longer kept. */
  get operatorCommandsTaken(): number {
    return this.commandsTaken;
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
    this.commandsTaken += 1;
    if (this.operatorCommands.length > OPERATOR_COMMANDS_KEPT) this.operatorCommands.splice(0, this.operatorCommands.length - OPERATOR_COMMANDS_KEPT);
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

  /**
   * The machine's output with the operator commands the procedure took, when it is a record: the
   * latest ones, and how many there were in all when more were taken than kept.
   */
  resultWith(output: unknown): unknown {
    if (output === null || typeof output !== 'object' || Array.isArray(output)) return output;
    const dropped = this.commandsTaken > this.operatorCommands.length;
    return { ...output, operatorCommands: this.operatorCommands, ...(dropped ? { operatorCommandsTaken: this.commandsTaken } : {}) };
  }
}
