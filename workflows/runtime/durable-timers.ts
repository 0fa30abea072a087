/**
 * The machine's `after` delays as durable timers. Each is kept with its absolute due time, so a
 * run that continues as new starts it again for the time that is left (XState's persisted snapshot
 * would drop it); its path entry, the "Wait ..." step, is closed by whichever run fires it.
 */
import * as wf from '@temporalio/workflow';
import type { MachineEvent } from '../../machines/core/machine-directives';
import type { EventQueue } from './event-queue';
import type { PathEntry } from '../operator-messages';
import type { ResumeState } from './resume-state';

interface Timer {
  event: MachineEvent;
  dueAt: number;
  scope: wf.CancellationScope;
}

export class DurableTimers {
  private readonly timers = new Map<string, Timer>();

  constructor(private readonly queue: EventQueue) {}

  /**
   * Queues `event` at `dueAt` (epoch ms), replacing a timer of the same id; closes `entry` as it
   * ends. `summary` is the timer's line on the Web UI's timeline.
   */
  start(id: string, event: MachineEvent, dueAt: number, entry?: PathEntry, summary?: string): void {
    this.timers.get(id)?.scope.cancel();
    const scope = new wf.CancellationScope();
    this.timers.set(id, { event, dueAt, scope });
    scope
      .run(() => wf.sleep(Math.max(0, dueAt - Date.now()), summary ? { summary } : undefined))
      .then(() => {
        if (this.timers.get(id)?.scope === scope) {
          this.timers.delete(id);
          if (entry) Object.assign(entry, { outcome: 'done', endedAt: new Date().toISOString() });
          this.queue.push(event);
        }
      })
      .catch((err: unknown) => {
        if (!wf.isCancellation(err)) throw err;
        if (entry) Object.assign(entry, { outcome: 'cancelled', endedAt: new Date().toISOString() });
      });
  }

  cancel(id: string): void {
    this.timers.get(id)?.scope.cancel();
    this.timers.delete(id);
  }

  /** The pending timers, for `status`. */
  dueTimes(): { id: string; dueAt: string }[] {
    return [...this.timers.entries()].map(([id, t]) => ({ id, dueAt: new Date(t.dueAt).toISOString() }));
  }

  /** The pending timers, for the next run to start again. */
  forNextRun(): ResumeState['timers'] {
    return [...this.timers.entries()].map(([id, t]) => ({ id, event: t.event, dueAt: t.dueAt }));
  }
}
