/**
 * Pure readers for what `sc.exe query|stop|start <name>` prints.
 *
 * sc.exe is localised more than one would hope. On a German or French host the field
 * labels change (`STATUS`, `ÉTAT` instead of `STATE`; `NOM_SERVICE` for `SERVICE_NAME`),
 * the word `FAILED` becomes `FEHLER` or `échec(s)` (French also puts a space before the
 * colon), and the error sentence is translated. What stays the same in every language:
 * the numeric state code followed by the English state constant (`4  RUNNING`), the
 * `[SC]` prefix with the Win32 API name, and the numeric error code. These readers rely
 * on those parts only, and only on ASCII, because the console code page (CP850 and the
 * like) may reach us decoded wrongly.
 */
import type { ListedService, ServiceState } from './service-control';

/** The numeric state code sc.exe prints before each state name (the SCM's SERVICE_* values). */
export const SC_STATE_CODES: Readonly<Record<ServiceState, number>> = {
  STOPPED: 1,
  START_PENDING: 2,
  STOP_PENDING: 3,
  RUNNING: 4,
  CONTINUE_PENDING: 5,
  PAUSE_PENDING: 6,
  PAUSED: 7,
};

const STATE_BY_CODE = new Map<number, ServiceState>(
  (Object.entries(SC_STATE_CODES) as Array<[ServiceState, number]>).map(([state, code]) => [code, state]),
);

// Any label, a colon, the code, the constant. The label is not matched on purpose (it is
// translated); the constant tells the STATE line apart from `TYPE : 10  WIN32_OWN_PROCESS`.
const STATE_LINE = /^[^:\r\n]*:\s*(\d+)\s+([A-Z_]+)\s*$/;

/**
 * The service state in the output of `sc.exe query <name>` (also printed by an accepted
 * `sc.exe stop` or `sc.exe start`), read from the state line, e.g.
 * `        STATE              : 4  RUNNING `.
 *
 * @returns `undefined` when no line carries a state code with its matching constant: the
 *   output is not a service status block, and a caller must not guess a state from it.
 */
export function parseScQueryOutput(stdout: string): ServiceState | undefined {
  for (const line of stdout.split(/\r?\n/)) {
    const match = STATE_LINE.exec(line);
    if (!match) continue;
    const byCode = STATE_BY_CODE.get(Number(match[1]));
    // The code and the constant must agree; a mismatch means this is not sc.exe talking.
    if (byCode !== undefined && byCode === match[2]) return byCode;
  }
  return undefined;
}

/** A failure reported by sc.exe: which Win32 API call failed, with which error code. */
export interface ScFailure {
  /** The Win32 API that failed, e.g. `OpenService`, `StartService`, `ControlService`. */
  operation: string;
  /** The Win32 error code, e.g. 1060. sc.exe also exits with this code. */
  code: number;
}

// `[SC] OpenService FAILED 1060:`, `[SC] EnumQueryServicesStatus:OpenService FEHLER 1060:`,
// `[SC] ControlService échec(s) 1062 :`. An optional `Caller:` prefix names the sc.exe
// step that made the call; the failing API is the word after it. Between the API and the
// code sits the localised word for "failed", which may be anything but a digit.
const FAILURE_LINE = /^\s*\[SC\]\s*(?:\w+\s*:\s*)?(\w+)\s+[^\d\r\n]*?(\d+)\s*:/;

/**
 * The failure line of a failed sc.exe command, in any display language.
 *
 * @returns `undefined` when the output holds no `[SC] <Api> <failed> <code>:` line.
 */
export function parseScFailure(stdout: string): ScFailure | undefined {
  for (const line of stdout.split(/\r?\n/)) {
    const match = FAILURE_LINE.exec(line);
    if (match && match[1] !== undefined && match[2] !== undefined) {
      return { operation: match[1], code: Number(match[2]) };
    }
  }
  return undefined;
}

/** What one `sc.exe query type= service state= all` run listed, and where to resume when its buffer was full. */
export interface ScServiceList {
  services: ListedService[];
  /** Set when sc.exe said "more data ... start resume at index N": run again with `ri= N`. */
  resumeAt?: number;
}

// Each service of an enumeration is a block: two lines at the margin (the key, then the display
// name, with translated labels: `SERVICE_NAME`/`NOM_SERVICE`, `DISPLAY_NAME`/`NOM_AFFICHÉ`), then
// indented fields, among them the state line. Labels are not matched; the position tells.
const MARGIN_FIELD = /^([^\s:][^:\r\n]*):[ \t]?(.*)$/;
const RESUME = /resume at index\s+(\d+)/i;

/**
 * The services in the output of `sc.exe query type= service state= all`, in any display language.
 *
 * @returns `undefined` when a block lacks its key, display name or state (the output is cut, in a
 *   form not known, or not sc.exe): a caller must not act on a partial list.
 */
export function parseScServiceList(stdout: string): ScServiceList | undefined {
  const services: ListedService[] = [];
  let resumeAt: number | undefined;
  let block: { key?: string; display?: string; state?: ServiceState } | undefined;
  const close = (): boolean => {
    if (block === undefined) return true;
    const { key, display, state } = block;
    if (key === undefined || display === undefined || state === undefined) return false;
    services.push({ key, display, state });
    block = undefined;
    return true;
  };
  for (const line of stdout.split(/\r?\n/)) {
    const resume = RESUME.exec(line);
    if (resume) {
      resumeAt = Number(resume[1]);
      continue;
    }
    if (line.trim() === '') continue;
    const field = MARGIN_FIELD.exec(line);
    if (field) {
      const value = (field[2] ?? '').trimEnd();
      if (block === undefined || block.state !== undefined) {
        if (!close()) return undefined;
        block = { key: value };
      } else if (block.display === undefined) {
        block.display = value;
      } else {
        return undefined;
      }
      continue;
    }
    // Anything else at the margin is no part of a service block (a translated "more data" line,
    // an error): refuse rather than return a list that may be cut.
    if (block === undefined || !/^\s/.test(line)) return undefined;
    const state = parseScQueryOutput(line);
    if (state !== undefined) block.state = state;
  }
  if (!close()) return undefined;
  return resumeAt === undefined ? { services } : { services, resumeAt };
}
