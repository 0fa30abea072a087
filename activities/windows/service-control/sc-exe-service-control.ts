/**
 * {@link ServiceControl} over Windows `sc.exe`.
 *
 * Each `stop` and `start` first asks `sc.exe query` and sends the control only when it
 * can have an effect, so a step that is retried after it already took effect does no
 * harm and sends nothing. When sc.exe then refuses because the service changed state
 * in between (1056, 1061, 1062), the answer is read again from a fresh query rather
 * than guessed.
 *
 * Service names are service KEY names (`sc.exe` has no way to address a service by its
 * display name); the site inventory maps display names such as "Dispatcher Paragon
 * Spooler Controller" to key names.
 */
import type { CommandResult, CommandRunner, ServiceControl, ServiceOperation, ServiceState } from './service-control';
import {
  ServiceBusyError,
  ServiceControlOutputError,
  ServiceNotInstalledError,
  ServicePausedError,
  WIN32,
  serviceErrorForWin32Code,
} from './service-control-errors';
import { parseScFailure, parseScQueryOutput, parseScServiceList } from './sc-exe-output';
import type { ListedService } from './service-control';
import { windowsProgram } from './windows-programs';

/** Options for {@link createScExeServiceControl}. */
export interface ScExeServiceControlOptions {
  /** Program to run. Default `%SystemRoot%\System32\sc.exe` (never PATH's). */
  scExe?: string;
}

/** One sc.exe run, reduced to what decisions are made on. */
interface ScAnswer {
  /** 0 on success, otherwise the Win32 error code. */
  code: number;
  /** stdout and stderr together, as an operator would have seen them. */
  output: string;
}

type StopOutcome = Awaited<ReturnType<ServiceControl['stop']>>;
type StartOutcome = Awaited<ReturnType<ServiceControl['start']>>;

/**
 * A {@link ServiceControl} that runs `sc.exe query|stop|start <key name>` through `run`.
 *
 * Errors are {@link ServiceControlError} subclasses chosen by Win32 code; see
 * `NON_RETRYABLE_ERRORS` (activities/core/non-retryable-errors.ts) for those a retry cannot fix.
 */
export function createScExeServiceControl(
  run: CommandRunner,
  opts: ScExeServiceControlOptions = {},
): ServiceControl {
  const scExe = opts.scExe ?? windowsProgram('sc.exe');

  async function sc(verb: ServiceOperation, service: string): Promise<ScAnswer> {
    const result = await run(scExe, [verb, service]);
    return readAnswer(verb, service, result);
  }

  /** The state, or 'NOT_INSTALLED', with the output it was read from. */
  async function queryWithOutput(service: string): Promise<{ state: ServiceState | 'NOT_INSTALLED'; output: string }> {
    const answer = await sc('query', service);
    if (answer.code === WIN32.SERVICE_DOES_NOT_EXIST) return { state: 'NOT_INSTALLED', output: answer.output };
    if (answer.code !== 0) {
      throw serviceErrorForWin32Code({ service, operation: 'query', win32Code: answer.code, output: answer.output });
    }
    const state = parseScQueryOutput(answer.output);
    if (state === undefined) throw new ServiceControlOutputError({ service, operation: 'query', output: answer.output });
    return { state, output: answer.output };
  }

  /** What to do about a stop request, given the state found: answer at once, or send the control. */
  async function decideStop(service: string): Promise<StopOutcome | 'send'> {
    const { state, output } = await queryWithOutput(service);
    switch (state) {
      case 'NOT_INSTALLED':
        throw new ServiceNotInstalledError({ service, operation: 'stop', win32Code: WIN32.SERVICE_DOES_NOT_EXIST, output });
      case 'STOPPED':
        return 'already-stopped';
      case 'STOP_PENDING':
        return 'already-stopping';
      case 'RUNNING':
      case 'PAUSED':
      case 'START_PENDING':
      case 'CONTINUE_PENDING':
      case 'PAUSE_PENDING':
      default:
        // A paused or pending service gets the stop too: Windows decides whether it can take it now.
        return 'send';
    }
  }

  /** What to do about a start request, given the state found: answer at once, refuse, or send the start. */
  async function decideStart(service: string): Promise<StartOutcome | 'send'> {
    const { state, output } = await queryWithOutput(service);
    switch (state) {
      case 'NOT_INSTALLED':
        throw new ServiceNotInstalledError({ service, operation: 'start', win32Code: WIN32.SERVICE_DOES_NOT_EXIST, output });
      case 'RUNNING':
        return 'already-running';
      case 'START_PENDING':
      case 'CONTINUE_PENDING':
        return 'already-starting';
      case 'PAUSED':
      case 'PAUSE_PENDING':
        // `sc.exe start` would say "already running" (1056), hiding that nothing is served.
        throw new ServicePausedError({ service, operation: 'start', output, state });
      case 'STOP_PENDING':
        // StartService refuses a service that has not finished stopping, also with 1056.
        throw new ServiceBusyError({ service, operation: 'start', output, state });
      case 'STOPPED':
        return 'send';
    }
  }

  return {
    async list() {
      const services: ListedService[] = [];
      let resumeAt = 0;
      // sc.exe lists as much as its buffer holds and says where to resume; the largest buffer the
      // service control manager takes makes one round the rule, the loop covers the rest.
      for (let round = 0; round < MAX_LIST_ROUNDS; round += 1) {
        const args = ['query', 'type=', 'service', 'state=', 'all', 'bufsize=', String(LIST_BUFFER_BYTES), ...(resumeAt > 0 ? ['ri=', String(resumeAt)] : [])];
        const answer = readAnswer('list', ALL_SERVICES, await run(scExe, args));
        if (answer.code !== 0) throw serviceErrorForWin32Code({ service: ALL_SERVICES, operation: 'list', win32Code: answer.code, output: answer.output });
        const parsed = parseScServiceList(answer.output);
        if (parsed === undefined) throw new ServiceControlOutputError({ service: ALL_SERVICES, operation: 'list', output: answer.output });
        services.push(...parsed.services);
        if (parsed.resumeAt === undefined || parsed.resumeAt <= resumeAt) return services;
        resumeAt = parsed.resumeAt;
      }
      throw new ServiceControlOutputError({ service: ALL_SERVICES, operation: 'list', output: `sc.exe asked to resume the listing more than ${MAX_LIST_ROUNDS} times` });
    },

    async query(service) {
      assertKeyName(service, 'query');
      return (await queryWithOutput(service)).state;
    },

    async stop(service) {
      assertKeyName(service, 'stop');
      const before = await decideStop(service);
      if (before !== 'send') return before;
      const answer = await sc('stop', service);
      if (answer.code === 0) return 'stop-requested';
      if (answer.code === WIN32.SERVICE_NOT_ACTIVE) return 'already-stopped';
      if (answer.code === WIN32.SERVICE_CANNOT_ACCEPT_CTRL) {
        // Often the service began stopping by itself since the query: that is success.
        const now = await decideStop(service);
        if (now !== 'send') return now;
      }
      throw serviceErrorForWin32Code({ service, operation: 'stop', win32Code: answer.code, output: answer.output });
    },

    async start(service) {
      assertKeyName(service, 'start');
      const before = await decideStart(service);
      if (before !== 'send') return before;
      const answer = await sc('start', service);
      if (answer.code === 0) return 'start-requested';
      if (answer.code === WIN32.SERVICE_ALREADY_RUNNING || answer.code === WIN32.SERVICE_CANNOT_ACCEPT_CTRL) {
        // Someone (or the service's own recovery) started it since the query; find out how far it got.
        const now = await decideStart(service);
        if (now !== 'send') return now;
      }
      throw serviceErrorForWin32Code({ service, operation: 'start', win32Code: answer.code, output: answer.output });
    },
  };
}

/** The largest enumeration buffer the service control manager accepts (256 KiB). */
const LIST_BUFFER_BYTES = 262_144;
const MAX_LIST_ROUNDS = 50;
/** What errors of a listing name as their service. */
const ALL_SERVICES = '(all services)';

/**
 * The Win32 code of one sc.exe run. The exit code is the authority (sc.exe exits with the
 * error code); the `[SC] ... FAILED <code>:` line must agree with it when both are there.
 */
function readAnswer(verb: ServiceOperation, service: string, result: CommandResult): ScAnswer {
  const output = result.stderr.length > 0 ? `${result.stdout}\n${result.stderr}` : result.stdout;
  const failure = parseScFailure(output);
  if (result.exitCode === 0) return { code: failure?.code ?? 0, output };
  if (failure !== undefined && failure.code !== result.exitCode) {
    throw new ServiceControlOutputError({ service, operation: verb, win32Code: result.exitCode, output });
  }
  return { code: result.exitCode, output };
}

/**
 * Refuses names sc.exe would misread before anything runs: an empty name turns
 * `sc.exe query` into "list every service", and key names never contain slashes.
 */
function assertKeyName(service: string, operation: ServiceOperation): void {
  if (service.trim() === '' || /[\\/]/.test(service)) {
    throw new ServiceNotInstalledError({ service, operation, output: '' });
  }
}
