/** Wrong arguments to a `spoolflow` command: exit code 2, the message names what is wrong. */
export class UsageError extends Error {}
