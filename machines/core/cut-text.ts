/**
 * Text that a long-running procedure keeps (a failure's reason, an event of a supervisor's log)
 * cut to a length: it travels with every `status` answer and from run to run, and a failure's
 * message (a tool's output, a remote error) can be any length.
 */

/** `text` when it has at most `max` characters, else its first ones and how many were cut. */
export function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = `… (${text.length - max} more characters)`;
  return `${text.slice(0, Math.max(0, max - tail.length))}${tail}`;
}
