/** Turns zod issues into one message that names each field and the rule it broke. */
import type { z } from 'zod';

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.flatMap(describeIssue).join('; ');
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(input)');
  // An unknown key is named as the field it would be, so a misspelled one reads like a typo.
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `in ${at(issue.path)}` : 'at the top level';
    return issue.keys.map((key) => `${at([...issue.path, key])}: unknown field "${key}", not allowed ${where} (misspelled? see the input schema for the fields it takes)`);
  }
  return [`${at(issue.path)}: ${issue.message}`];
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
