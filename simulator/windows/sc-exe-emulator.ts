/**
 * What `sc.exe query|stop|start <name>` prints on an English Windows host, produced from
 * a simulated service table. The simulator plugs this in behind a CommandRunner, so the
 * production `createScExeServiceControl` parses emulated hosts with the very code that
 * parses real ones. Shapes follow real sc.exe: CRLF line endings, the column layout, the
 * `[SC] <Api> FAILED <code>:` lines, and an exit code equal to the Win32 error code.
 */
import type { CommandResult, ServiceState } from '../../activities/windows/service-control/service-control';
import { SC_STATE_CODES } from '../../activities/windows/service-control/sc-exe-output';

/** The simulated host's services, as sc.exe would find them through the SCM. */
export interface EmulatedServiceTable {
  /** Current state of a service by key name; `undefined` = not installed. */
  state(service: string): ServiceState | undefined;
  /** Ask the service to stop; the table changes its own state when it accepts. */
  requestStop(service: string): 'accepted' | 'not-started' | 'busy' | 'access-denied';
  /** Ask the service to start; the table changes its own state when it accepts. */
  requestStart(service: string): 'accepted' | 'already-running' | 'busy' | 'disabled' | 'access-denied';
  /**
   * Every installed service, key and display name, in the order the SCM enumerates them. Tables
   * that stand for one service only (a JobScheduler member's) need not list; the enumeration is
   * then refused.
   */
  list?(): { key: string; display: string }[];
}

const CRLF = '\r\n';

/** The Win32 failures the emulator can report, with sc.exe's English message text. */
const FAILURES = {
  accessDenied: { code: 5, message: 'Access is denied.' },
  alreadyRunning: { code: 1056, message: 'An instance of the service is already running.' },
  disabled: {
    code: 1058,
    message:
      'The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.',
  },
  notInstalled: { code: 1060, message: 'The specified service does not exist as an installed service.' },
  cannotAcceptControl: { code: 1061, message: 'The service cannot accept control messages at this time.' },
  notStarted: { code: 1062, message: 'The service has not been started.' },
} as const;

type Failure = (typeof FAILURES)[keyof typeof FAILURES];

/**
 * Runs one emulated `sc.exe` command against `table`.
 *
 * @param args what would follow `sc.exe` on the command line: `['query' | 'stop' | 'start', keyName]`.
 * @throws Error for any other command line: the emulator covers what production sends, and a
 *   silent wrong answer would hide a caller bug.
 */
export function emulateScExe(args: string[], table: EmulatedServiceTable): CommandResult {
  if (args[0] === 'query' && args.length > 2) return emulateEnumeration(args.slice(1), table);
  const [verb, service, ...rest] = args;
  if (service === undefined || rest.length > 0 || (verb !== 'query' && verb !== 'stop' && verb !== 'start')) {
    throw new Error(
      `emulateScExe cannot run \`sc.exe ${args.join(' ')}\`: it emulates only \`sc.exe query|stop|start <key name>\` and \`sc.exe query type= service state= all [bufsize= N] [ri= N]\`. ` +
        'Extend the emulator (and its tests) before sending other commands to simulated hosts.',
    );
  }

  if (table.state(service) === undefined) {
    // sc.exe query opens the service from inside its enumeration helper, and says so.
    return failed(verb === 'query' ? 'EnumQueryServicesStatus:OpenService' : 'OpenService', FAILURES.notInstalled);
  }

  switch (verb) {
    case 'query':
      return succeeded(statusBlock(service, currentState(table, service)));
    case 'stop':
      return emulateStop(service, table);
    case 'start':
      return emulateStart(service, table);
  }
}

/**
 * `sc.exe query type= service state= all [bufsize= N] [ri= N]`: every service as a status block
 * with its DISPLAY_NAME line. What does not fit the buffer (sc.exe's default is 1024 bytes) is
 * left out, with the line sc.exe prints to say where to resume.
 */
function emulateEnumeration(options: string[], table: EmulatedServiceTable): CommandResult {
  const values = new Map<string, string>();
  for (let i = 0; i < options.length; i += 2) {
    const name = options[i];
    const value = options[i + 1];
    if (name === undefined || value === undefined || !name.endsWith('=')) {
      throw new Error(`emulateScExe cannot run \`sc.exe query ${options.join(' ')}\`: options are written \`name= value\`, as two arguments`);
    }
    values.set(name.toLowerCase(), value.toLowerCase());
  }
  const known = new Set(['type=', 'state=', 'bufsize=', 'ri=']);
  if ([...values.keys()].some((k) => !known.has(k)) || values.get('type=') !== 'service' || values.get('state=') !== 'all') {
    throw new Error(`emulateScExe emulates the enumeration only as \`sc.exe query type= service state= all [bufsize= N] [ri= N]\`, not \`sc.exe query ${options.join(' ')}\``);
  }
  const bufferBytes = Number(values.get('bufsize=') ?? '1024');
  const resumeIndex = Number(values.get('ri=') ?? '0');
  if (!table.list) throw new Error('this emulated service table cannot enumerate its services; give it a list() to emulate `sc.exe query type= service state= all`');
  const services = table.list();
  const lines: string[] = [];
  let used = 0;
  for (let index = resumeIndex; index < services.length; index += 1) {
    const service = services[index] as { key: string; display: string };
    const needed = enumEntryBytes(service);
    if (used + needed > bufferBytes) {
      const remaining = services.slice(index).reduce((sum, s) => sum + enumEntryBytes(s), 0);
      lines.push(`Enum: more data, need ${remaining} bytes start resume at index ${index}`, '');
      break;
    }
    used += needed;
    const [blank, name, ...fields] = statusBlock(service.key, currentState(table, service.key));
    lines.push(blank ?? '', (name ?? '').trimEnd(), `DISPLAY_NAME: ${service.display}`, ...fields);
  }
  return succeeded(lines);
}

/** What one ENUM_SERVICE_STATUS_PROCESSW entry takes: the structure and its two UTF-16 strings. */
function enumEntryBytes(service: { key: string; display: string }): number {
  return 44 + 2 * (service.key.length + 1) + 2 * (service.display.length + 1);
}

function emulateStop(service: string, table: EmulatedServiceTable): CommandResult {
  switch (table.requestStop(service)) {
    case 'accepted':
      return succeeded(statusBlock(service, currentState(table, service)));
    case 'not-started':
      return failed('ControlService', FAILURES.notStarted);
    case 'busy':
      return failed('ControlService', FAILURES.cannotAcceptControl);
    case 'access-denied':
      return failed('OpenService', FAILURES.accessDenied);
  }
}

function emulateStart(service: string, table: EmulatedServiceTable): CommandResult {
  switch (table.requestStart(service)) {
    case 'accepted':
      // A start answers with the process it launched: PID and FLAGS follow the block.
      return succeeded(statusBlock(service, currentState(table, service), pidFor(service)));
    case 'already-running':
      return failed('StartService', FAILURES.alreadyRunning);
    case 'busy':
      return failed('StartService', FAILURES.cannotAcceptControl);
    case 'disabled':
      return failed('StartService', FAILURES.disabled);
    case 'access-denied':
      return failed('OpenService', FAILURES.accessDenied);
  }
}

function currentState(table: EmulatedServiceTable, service: string): ServiceState {
  const state = table.state(service);
  if (state === undefined) {
    throw new Error(
      `The emulated service table reports "${service}" as not installed right after using it. ` +
        'A table must keep a service installed while it handles a stop or start.',
    );
  }
  return state;
}

function succeeded(lines: string[]): CommandResult {
  return { exitCode: 0, stdout: lines.join(CRLF), stderr: '' };
}

/** sc.exe writes its failures to stdout too, and exits with the Win32 code. */
function failed(api: string, failure: Failure): CommandResult {
  const lines = [`[SC] ${api} FAILED ${failure.code}:`, '', failure.message, '', ''];
  return { exitCode: failure.code, stdout: lines.join(CRLF), stderr: '' };
}

/** One `NAME : value` row, with the label padded to sc.exe's column. */
function row(label: string, value: string): string {
  return `        ${label.padEnd(19)}: ${value}`;
}

/** The controls a service in this state typically accepts, in sc.exe's words. */
function acceptedControls(state: ServiceState): string | undefined {
  switch (state) {
    case 'STOPPED':
      return undefined; // sc.exe prints no controls line for a stopped service
    case 'RUNNING':
      return 'STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN';
    case 'PAUSED':
      return 'STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN';
    case 'START_PENDING':
    case 'STOP_PENDING':
    case 'CONTINUE_PENDING':
    case 'PAUSE_PENDING':
    default:
      return 'NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN';
  }
}

/** The service status block that `sc.exe query` prints, and an accepted stop or start repeats. */
function statusBlock(service: string, state: ServiceState, pid?: number): string[] {
  const pending = state.endsWith('_PENDING');
  const lines = [
    '',
    `SERVICE_NAME: ${service} `,
    row('TYPE', '10  WIN32_OWN_PROCESS  '),
    row('STATE', `${SC_STATE_CODES[state]}  ${state} `),
  ];
  const controls = acceptedControls(state);
  if (controls !== undefined) lines.push(`${' '.repeat(32)}(${controls})`);
  lines.push(
    row('WIN32_EXIT_CODE', '0  (0x0)'),
    row('SERVICE_EXIT_CODE', '0  (0x0)'),
    row('CHECKPOINT', '0x0'),
    // Two seconds, the hint most services give while they move between states.
    row('WAIT_HINT', pending ? '0x7d0' : '0x0'),
  );
  if (pid !== undefined) lines.push(row('PID', String(pid)), row('FLAGS', ''));
  lines.push('');
  return lines;
}

/** A stable, Windows-looking process id (a multiple of 4) so simulated runs repeat exactly. */
function pidFor(service: string): number {
  let hash = 0;
  for (const char of service) hash = (hash * 31 + char.charCodeAt(0)) % 2000;
  return 1000 + hash * 4;
}
