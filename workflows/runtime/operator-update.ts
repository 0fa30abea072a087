/**
 * Operator commands arrive as the `operator` update. The validator refuses, before the update is
 * accepted (so nothing enters the history), a command that does not parse or that the machine
 * does not take now; an accepted one waits its turn in the queue and answers with the status
 * once the machine has taken it.
 */
import * as wf from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import { describeIssues } from '../../machines/core/input-errors';
import { currentStep } from '../../machines/core/plan';
import type { EventQueue } from './event-queue';
import { operatorCommandSchema, operatorUpdate, ProcedureStatus } from '../operator-messages';

/** Why the machine refuses a command of a kind it takes now, naming the field and the rule (catalog.ts, `refusalOf`). */
export type CommandRefusal = (context: unknown, command: { type: string }) => string | undefined;

export function takeOperatorCommands(queue: EventQueue, snapshotNow: () => AnyMachineSnapshot, statusNow: () => ProcedureStatus, refusalOf?: CommandRefusal): void {
  wf.setHandler(
    operatorUpdate,
    async (command) => {
      // The machine gets the parsed command (defaults applied, nothing unknown), never the raw payload.
      const ticket = queue.push(operatorCommandSchema.parse(command));
      await queue.whenProcessed(ticket);
      return statusNow();
    },
    {
      description:
        'An operator command, each with an optional operator and reason (kept in the path and the result): operator.retry, operator.skip, operator.abort, operator.startGroupService, operator.overrideLoad {operator, reason} (both required), operator.submitOrder {chain, order} (active cluster supervisors), operator.redirect {location} and operator.cancel (a waiting print job; operator.abort of a held one stops watching it).',
      validator: (command) => {
        const parsed = operatorCommandSchema.safeParse(command);
        if (!parsed.success) {
          throw new Error(`invalid operator command: ${describeIssues(parsed.error.issues)}`);
        }
        const snapshot = snapshotNow();
        if (snapshot.status !== 'active' || !snapshot.can(parsed.data)) {
          const why = snapshot.status === 'active' ? refusalOf?.(snapshot.context, parsed.data) : undefined;
          if (why) throw new Error(`"${parsed.data.type}" is refused at step ${currentStep(snapshot)}: ${why}`);
          const accepts = statusNow().accepts.join(', ') || 'nothing';
          throw new Error(`"${parsed.data.type}" is not possible at step ${currentStep(snapshot)} now; the procedure accepts: ${accepts}`);
        }
      },
    },
  );
}
