/**
 * The sizing advisor (docs/sap-spool-work-processes.md#sizing): the smallest number of spool work
 * processes of a spool server that leaves at least one for output requests at maximum management
 * load. The source's rule: one work process more than there are parallel management tasks (and,
 * as of 4.6A with frontend printing, frontend output requests). Its own results: 4 for 4.0B, 5 for
 * 4.6A with frontend printing; the other releases and parameter values follow from the same rule.
 *
 * The reasoning is given line by line, so an operator can check it against the source.
 */
import { parseRelease, ReleaseStep, TASK_TITLES, tasksOf } from './spool-releases';

/** rdisp/wp_no_spo_Fro_max when the profile does not set it. */
export const DEFAULT_FRONTEND_MAX = 1;

export interface SizingQuestion {
  /** An R/3 or SAP_BASIS release: `4.0B`, `4.6C`, `7.50`. */
  release: string;
  /** Users print on their frontends (access method F) through this server. */
  frontendPrinting: boolean;
  /** rdisp/wp_no_spo_Fro_max; only with frontendPrinting. Default 1. */
  froMax?: number;
}

export interface SizingAdvice {
  workProcesses: number;
  release: string;
  step: ReleaseStep;
  /** How many work processes each class may take at once at maximum management load. */
  atMost: { globalManagement: number; localManagement: number; frontendOutput: number };
  /** What is left for the usual output requests at maximum management load. */
  leftForOutput: number;
  reasoning: string[];
}

/** A question the advisor cannot answer, with the flag and the rule. */
export class SizingQuestionError extends Error {
  override readonly name = 'SizingQuestionError';
}

function frontendMax(question: SizingQuestion): number {
  if (question.froMax === undefined) return DEFAULT_FRONTEND_MAX;
  if (!question.frontendPrinting) throw new SizingQuestionError('--fro-max (rdisp/wp_no_spo_Fro_max) counts only with --frontend-printing: add it, or leave --fro-max out');
  if (!Number.isInteger(question.froMax) || question.froMax < 1 || question.froMax > 100) {
    throw new SizingQuestionError(`--fro-max (rdisp/wp_no_spo_Fro_max) must be a whole number from 1 to 100, not ${String(question.froMax)}`);
  }
  return question.froMax;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 'es'}`;

export function adviseSpoolWorkProcesses(question: SizingQuestion): SizingAdvice {
  const release = parseRelease(question.release);
  const froMax = frontendMax(question);
  const tasks = tasksOf(release.step);
  const reasoning: string[] = [`Release ${release.name} has the spool tasks of ${release.step === '4.6A-and-later' ? 'release 4.6A and later' : release.step === 'before-4.0A' ? 'releases before 4.0A' : `release ${release.step}`}.`];

  // Every global task together: the source counts one work process for all of them, system-wide.
  const globalManagement = tasks.global.length > 0 ? 1 : 0;
  reasoning.push(
    `Global management (${tasks.global.map((t) => TASK_TITLES[t]).join('; ')}): at most 1 work process in the whole system at a time, and it may be one of this server's: ${globalManagement}.`,
  );

  const localManagement = tasks.local.length;
  reasoning.push(
    `Local management, each task by at most one work process of this instance at a time (${tasks.local.map((t) => `${TASK_TITLES[t]}: 1`).join('; ')}): ${localManagement}.`,
  );

  let frontendOutput = 0;
  if (question.frontendPrinting && tasks.frontendOutputBySpool) {
    frontendOutput = froMax;
    reasoning.push(`Frontend output requests, processed by the spool service as of 4.6A: at most rdisp/wp_no_spo_Fro_max = ${froMax} work process${froMax === 1 ? '' : 'es'}: ${froMax}.`);
  } else if (question.frontendPrinting) {
    reasoning.push(`Frontend printing before 4.6A is processed by dialog work processes, not by the spool service: 0.`);
  } else {
    reasoning.push('No frontend printing: 0.');
  }

  const busy = globalManagement + localManagement + frontendOutput;
  const leftForOutput = 1;
  reasoning.push(`At maximum load these take ${busy} work process${busy === 1 ? '' : 'es'} at once; at least ${leftForOutput} must be left for the usual output requests.`);
  const workProcesses = busy + leftForOutput;
  reasoning.push(`So ${plural(workProcesses, 'spool work process')} on the server: one more than the ${busy} that management${frontendOutput > 0 ? ' and frontend output' : ''} may take.`);
  reasoning.push('Fewer still print, except in the rare stretches when every one of these tasks runs at once; then no output request is processed until one of them ends.');

  return { workProcesses, release: release.name, step: release.step, atMost: { globalManagement, localManagement, frontendOutput }, leftForOutput, reasoning };
}
