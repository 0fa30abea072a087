/** What the operator reads when an input is refused, for tests of the input rules. */
import { validateInput } from '../../client/procedure-input';

/** The refusal's message, or '' when the input is accepted. */
export function refusal(procedureId: string, input: unknown): string {
  try {
    validateInput(procedureId, input);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
