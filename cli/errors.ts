/**
 * Wrong arguments to a `spoolflow` command: exit code 2, the message names what is wrong. The
 * command files' own usage errors (SimUsageError, ...) extend it, so cli/exit-codes.ts recognises
 * them all without loading the command files (each command loads only what it needs).
 */
export class UsageError extends Error {}
