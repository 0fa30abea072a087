/**
 * The summaries the Temporal Web UI shows on a run's timeline, in the operator's words: each
 * activity as "<host>: <what it does> (step <n>)", each timer as "<what it waits for> wait <how
 * long>". Built from what the machines already say (an effect's title and host, the step's state
 * description with the runbook's step number, the `after` delay's name), so no machine changes for
 * the UI. Summaries are user metadata on the commands: replay does not compare them, so recorded
 * histories replay unchanged (test/core/integration/replay.test.ts).
 */
import type { AnyStateMachine } from 'xstate';
import { hostOf, type Effect } from '../../machines/core/effects';

/** Temporal shows a summary on one line; a longer one is cut here rather than by the UI. */
const SUMMARY_MAX_CHARS = 200;

/** e.g. "spoc-lon-1: stop Dispatcher Paragon Spooler Controller (step 1)". */
export function activitySummary(machine: AnyStateMachine, effect: Effect): string {
  const host = hostOf(effect);
  const what = host ? lowerFirst(withoutTrailingHost(effect.title, host)) : effect.title;
  const step = runbookStepOf(descriptionOfState(machine, effect.step));
  const saysStep = step !== undefined && !/\bsteps? \d/i.test(what);
  return oneLine(`${host ? `${host}: ` : ''}${what}${saysStep ? ` (${step})` : ''}`);
}

/**
 * e.g. "convergence wait 5 min (step 8): wait for the distributed layer to converge (...)".
 * `waitTitle` is the wait's path entry ("Wait 5 min"): the same words `status` shows.
 */
export function timerSummary(machine: AnyStateMachine, event: { type: string }, waitTitle: string): string {
  const after = /^xstate\.after\.([^.]+)\.(.+)$/.exec(event.type);
  const delayName = after?.[1];
  const description = after?.[2] !== undefined ? descriptionOfState(machine, after[2]) : undefined;
  const lead = delayName !== undefined && !/^\d+$/.test(delayName) ? `${wordsOf(delayName)} ${lowerFirst(waitTitle)}` : waitTitle;
  const step = runbookStepOf(description);
  const said = description === undefined ? undefined : lowerFirst(description.replace(/^steps? [\d-]+:\s*/i, '').replace(/\.$/, ''));
  return oneLine(`${lead}${step !== undefined ? ` (${step})` : ''}${said ? `: ${said}` : ''}`);
}

/** The `after` delay's name in words: `betweenStarts` → "between starts". */
function wordsOf(camelCase: string): string {
  return camelCase.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The runbook's step number a state's description opens with ("Step 1: ..." → "step 1"). */
function runbookStepOf(description: string | undefined): string | undefined {
  const match = description === undefined ? null : /^(steps?) ([\d]+(?:-[\d]+)?):/i.exec(description);
  return match ? `${match[1]!.toLowerCase()} ${match[2]}` : undefined;
}

/** Per machine, the descriptions looked up so far: every effect's summary needs its step's. */
const descriptions = new WeakMap<AnyStateMachine, Map<string, string | undefined>>();

/** A state's description by its id (a haltable step's id is its step), when the machine has one. */
function descriptionOfState(machine: AnyStateMachine, stateId: string): string | undefined {
  let known = descriptions.get(machine);
  if (!known) descriptions.set(machine, (known = new Map()));
  if (known.has(stateId)) return known.get(stateId);
  let description: string | undefined;
  try {
    description = machine.getStateNodeById(stateId).description;
  } catch {
    // Not every step is a state of its own (e.g. an abort's restore): the title alone then.
    description = undefined;
  }
  known.set(stateId, description);
  return description;
}

/** "Stop X on spoc-lon-1" → "Stop X": the host leads the summary already. */
function withoutTrailingHost(title: string, host: string): string {
  const suffix = ` on ${host}`;
  return title.endsWith(suffix) ? title.slice(0, -suffix.length) : title;
}

function lowerFirst(text: string): string {
  // An acronym or product name keeps its capitals ("SPOC ...", "OS ...").
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_MAX_CHARS ? `${flat.slice(0, SUMMARY_MAX_CHARS - 1)}…` : flat;
}
