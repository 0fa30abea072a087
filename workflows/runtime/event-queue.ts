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
  /** Called on every push, while set (the runtime's second version takes events so). */
  private listener: (() => void) | undefined;

  /** Queues the event; its ticket is processed once the machine has taken it. */
  push(event: MachineEvent): number {
    this.events.push(event);
    this.enqueued += 1;
    this.listener?.();
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
   * `listener` is called on every push from now on (none: no more): the runtime's second version
   * takes each event as it is queued instead of waiting in a `wf.condition`, which costs three
   * promises and is evaluated after every activation (runtime-version.ts).
   */
  listen(listener: (() => void) | undefined): void {
    this.listener = listener;
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
