/**
 * An operator command checked with the schema the procedure checks it with, before anything is
 * sent. Kept apart from client/spoolflow-client.ts because the schema loads zod, which asking a
 * status does not need.
 */
import { describeIssues, InvalidInputError } from '../machines/core/input-errors';
import { type OperatorCommand, operatorCommandSchema } from '../workflows/operator-messages';

/**
 * Checks an operator command (every command takes an optional `operator` and `reason`; unknown keys
 * and blank names are refused); throws InvalidInputError naming the fields.
 */
export function parseOperatorCommand(command: unknown): OperatorCommand {
  const parsed = operatorCommandSchema.safeParse(command);
  if (!parsed.success) throw new InvalidInputError('operator command', describeIssues(parsed.error.issues));
  return parsed.data;
}
