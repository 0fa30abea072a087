/** Turns zod issues into one message that names each field and the rule it broke. */
import type { z } from 'zod';

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`).join('; ');
}

/** Parses input or throws an InvalidInputError naming the fields. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly procedure: string,
    readonly details: string,
  ) {
    super(`invalid input for ${procedure}: ${details}`);
  }
}

export function parseInput<T>(schema: z.ZodType<T>, procedure: string, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(procedure, describeIssues(result.error.issues));
  return result.data;
}
