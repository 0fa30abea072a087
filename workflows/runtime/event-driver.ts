/**
 * How the runtime's second version (runtime-version.ts) takes the machine's events: each one as it
 * is queued, in the same call that queues it (an effect's answer, a timer, an operator command),
 * one at a time and in arrival order as ever, with no promise per event. Version 1 waits for each
 * in a `wf.condition`; every promise costs a workflow a stack trace the SDK records.
 */
import type { EventQueue } from './event-queue';

export interface EventSteps {
  /** Takes the oldest event; 'pause' hands control back to the caller (a continue-as-new is due). */
  step(): 'go-on' | 'pause';
  /** Whether the machine has ended: no event is taken after. */
  finished(): boolean;
  /**
   * Calls the function where the runtime runs: an operator command is queued from inside its
   * update handler, and the step it causes (effects, timers) must not run in the update's context.
   */
  inRunContext(fn: () => void): void;
}

/**
 * Takes every event queued now and from now on, until the machine has ended ('finished') or a step
 * pauses ('paused'). A step that fails rejects the promise with its error, and so does `cancelled`
 * (the workflow's cancellation, which ends version 1's wait for an event): the runtime throws it,
 * as version 1 does, and no event is taken after.
 */
export function takeEventsAsTheyCome(queue: EventQueue, steps: EventSteps, cancelled?: Promise<unknown>): Promise<'finished' | 'paused'> {
  return new Promise((resolve, reject) => {
    let taking = false;
    const end = (how: 'finished' | 'paused') => {
      queue.listen(undefined);
      resolve(how);
    };
    const takeAll = () => {
      // An event queued by a step itself (an effect refused at once) is taken by the loop below.
      if (taking) return;
      taking = true;
      try {
        while (!steps.finished() && !queue.isEmpty) {
          if (steps.step() === 'pause') {
            end('paused');
            return;
          }
        }
        if (steps.finished()) end('finished');
      } catch (err) {
        queue.listen(undefined);
        reject(err);
      } finally {
        taking = false;
      }
    };
    queue.listen(() => steps.inRunContext(takeAll));
    void cancelled?.catch((err: unknown) => {
      queue.listen(undefined);
      reject(err);
    });
    takeAll();
  });
}
