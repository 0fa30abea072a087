/**
 * The operator's words for a mandated wait, the same in a plan and in a running procedure's path:
 * "Wait 5 min", "Wait 90 s".
 */
export function waitTitle(seconds: number): string {
  return `Wait ${seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`}`;
}
