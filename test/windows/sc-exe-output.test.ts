// Proves the sc.exe readers work on the parts of the output that no display language
// changes, against samples in English, German and French.
import { parseScFailure, parseScQueryOutput } from '../../activities/windows/service-control/sc-exe-output';
import type { ServiceState } from '../../activities/windows/service-control/service-control';
import { scFixtureExitCode, scFixtureNames, scFixtureText } from '../fixtures/sc-exe/read-sc-fixture';
import { SERVICE_STATES } from '../helpers/service-control-cases';

const failureSamples = scFixtureNames().filter((name) => scFixtureExitCode(name) !== 0);

describe('parseScQueryOutput', () => {
  it.each<[string, ServiceState]>([
    ['query-running.en.txt', 'RUNNING'],
    ['query-running.de.txt', 'RUNNING'],
    ['query-running.fr.txt', 'RUNNING'],
    ['query-stopped.en.txt', 'STOPPED'],
    ['query-stopped.de.txt', 'STOPPED'],
    ['query-stopped.fr.txt', 'STOPPED'],
    ['query-start-pending.en.txt', 'START_PENDING'],
    ['query-stop-pending.en.txt', 'STOP_PENDING'],
    ['query-paused.en.txt', 'PAUSED'],
    ['stop-accepted.en.txt', 'STOP_PENDING'],
    ['start-accepted.en.txt', 'START_PENDING'],
    ['start-accepted.de.txt', 'START_PENDING'],
  ])('reads the state from %s whatever the label is called', (name, state) => {
    expect(parseScQueryOutput(scFixtureText(name))).toBe(state);
  });

  it('reads every state the SCM defines by its numeric code', () => {
    SERVICE_STATES.forEach((state, index) => {
      expect(parseScQueryOutput(`        STATE              : ${index + 1}  ${state} \r\n`)).toBe(state);
    });
  });

  it('reads the same state from CRLF and LF output', () => {
    const crlf = scFixtureText('query-running.en.txt');
    expect(crlf).toContain('\r\n');
    expect(parseScQueryOutput(crlf.replace(/\r\n/g, '\n'))).toBe('RUNNING');
  });

  it('does not mistake the TYPE line, which also starts with a number, for the state', () => {
    expect(parseScQueryOutput('        TYPE               : 10  WIN32_OWN_PROCESS  \r\n')).toBeUndefined();
  });

  it('refuses a state line whose code and constant disagree rather than pick one', () => {
    expect(parseScQueryOutput('        STATE              : 4  STOPPED \r\n')).toBeUndefined();
  });

  it.each(failureSamples)('finds no state in the failure output %s', (name) => {
    expect(parseScQueryOutput(scFixtureText(name))).toBeUndefined();
  });

  it('finds no state in output that is not from sc.exe', () => {
    expect(parseScQueryOutput(scFixtureText('garbage.txt'))).toBeUndefined();
    expect(parseScQueryOutput('')).toBeUndefined();
  });
});

describe('parseScFailure', () => {
  const apiByVerbAndCode: Record<string, string> = {
    'query-1060': 'OpenService',
    'stop-1062': 'ControlService',
    'stop-1061': 'ControlService',
    'stop-5': 'OpenService',
    'start-1056': 'StartService',
    'start-1058': 'StartService',
    'start-1053': 'StartService',
  };

  it.each(failureSamples)('reads the failing API and the win32 code from %s', (name) => {
    const key = /^[a-z]+-\d+/.exec(name)?.[0] ?? '';
    expect(parseScFailure(scFixtureText(name))).toEqual({
      operation: apiByVerbAndCode[key],
      code: scFixtureExitCode(name),
    });
  });

  it('covers every failure the service control maps, in English, German and French', () => {
    for (const key of Object.keys(apiByVerbAndCode)) {
      for (const lang of ['en', 'de', 'fr']) {
        expect(failureSamples.some((name) => name.startsWith(`${key}-`) && name.endsWith(`.${lang}.txt`))).toBe(true);
      }
    }
  });

  it('reads French output whose accented letters were lost to the console code page', () => {
    const text = scFixtureText('stop-1062-not-started.fr-oem.txt');
    expect(text).toContain('\uFFFD');
    expect(parseScFailure(text)).toEqual({ operation: 'ControlService', code: 1062 });
  });

  it('names the failing API, not the sc.exe step that called it', () => {
    expect(parseScFailure('[SC] StartService: OpenService FAILED 1060:\r\n')).toEqual({
      operation: 'OpenService',
      code: 1060,
    });
  });

  it('finds no failure in the output of a successful command', () => {
    for (const name of ['query-running.en.txt', 'stop-accepted.en.txt', 'start-accepted.de.txt']) {
      expect(parseScFailure(scFixtureText(name))).toBeUndefined();
    }
  });

  it('finds no failure in output that is not from sc.exe', () => {
    expect(parseScFailure(scFixtureText('garbage.txt'))).toBeUndefined();
    expect(parseScFailure('[SC] QueryServiceConfig SUCCESS\r\n')).toBeUndefined();
  });
});
