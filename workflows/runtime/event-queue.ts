/**
 * The machine's inbox. Effect answers, fired timers and operator commands all arrive here and the
 * runtime takes them one at a time, in arrival order: that is what keeps the run deterministic.
 * Each event gets a ticket when it is queued, so an operator command can wait until the machine
 * has taken it before it answers.
 */
import * as wf from '@temporalio/workflow';
import type { MachineEvent } from '../../machines/core/machine-directives';

export class EventQueue {
  private readonly events: MachineEvent[] = [];
  private enqueued = 0;
  private processed = 0;
  /** Who waits in `nextEvent` for the queue to fill. */
  private waiter: (() => void) | undefined;

  /** Queues the event; its ticket is processed once the machine has taken it. */
  push(event: MachineEvent): number {
    this.events.push(event);
    this.enqueued += 1;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
    return this.enqueued;
  }

  get isEmpty(): boolean {
    return this.events.length === 0;
  }

  /** Resolves once an event waits. */
  whenNotEmpty(): Promise<void> {
    return wf.condition(() => this.events.length > 0);
  }

  /**
   * Resolves as soon as an event is queued, by the push itself: one promise instead of the three
   * of a `wf.condition`, which the SDK also evaluates after every activation. The runtime's second
   * version waits so (runtime-version.ts); only one may wait at a time.
   */
  nextEvent(): Promise<void> {
    if (this.events.length > 0) return Promise.resolve();
    if (this.waiter) throw new Error('the event queue has one reader, the runtime: a second one waits');
    return new Promise<void>((resolve) => (this.waiter = resolve));
  }

  /** The oldest event; only after `whenNotEmpty`. */
  take(): MachineEvent {
    return this.events.shift() as MachineEvent;
  }

  /** The machine took the event `take` gave: its ticket is processed. */
  markProcessed(): void {
    this.processed += 1;
  }

  /** Resolves once the machine has taken the event with this ticket. */
  whenProcessed(ticket: number): Promise<void> {
    return wf.condition(() => this.processed >= ticket);
  }
}
