/**
 * The agent's configuration file: what it takes, the defaults it fills in, and errors that name
 * the field and the rule, every one of them at once, before the agent connects to anything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentConfigError, DEFAULT_POLL_MS, parseAgentConfig, readAgentConfig } from '../../../agent/agent-config';
import { DEFAULT_VENDOR_SERVICE_PREFIXES } from '../../../machines/spoc/spoc-services';

const siteServer = { host: 'SPOC-LON-1.', notesFolder: 'C:\\ProgramData\\spoolflow\\agent', spocSiteServer: { installDir: 'C:/Program Files/Dispatcher Paragon/' } };
const schedulerHost = { host: 'js-berlin-1', notesFolder: '/var/lib/spoolflow-agent', jobScheduler: { installs: [{ os: 'unix', installDir: '/opt/sos-berlin.com/jobscheduler/berlin' }] } };

function problemOf(value: unknown, platform: NodeJS.Platform = 'linux'): string {
  try {
    parseAgentConfig(value, platform);
  } catch (err) {
    expect(err).toBeInstanceOf(AgentConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

test("a site server's configuration is taken in normal form, with the defaults filled in", () => {
  const config = parseAgentConfig(siteServer, 'win32');
  expect(config.host).toBe('spoc-lon-1');
  expect(config.spocSiteServer?.installDir).toBe('C:\\Program Files\\Dispatcher Paragon');
  expect(config.spocSiteServer?.vendorServices).toEqual(DEFAULT_VENDOR_SERVICE_PREFIXES);
  expect(config.pollMs).toBe(DEFAULT_POLL_MS);
});

test('a Linux JobScheduler host needs no emulated Windows drives', () => {
  expect(parseAgentConfig(schedulerHost, 'linux').jobScheduler?.installs).toHaveLength(1);
});

test('every broken field is named with its rule, in one message', () => {
  const message = problemOf({ host: 'spoc_lon_1', notesFolder: 'notes', spocSiteServer: { installDir: 'D:' }, pollMs: 5 }, 'win32');
  expect(message).toMatch(/^agent config: /);
  expect(message).toMatch(/host: must be a DNS host name/);
  expect(message).toMatch(/notesFolder: must be an absolute folder/);
  expect(message).toMatch(/spocSiteServer\.installDir: must be an absolute Windows path/);
  expect(message).toMatch(/pollMs: /);
});

test('a misspelled field is refused, not ignored', () => {
  expect(problemOf({ ...siteServer, spocSiteServer: { instalDir: 'C:\\DP' } }, 'win32')).toMatch(/spocSiteServer\.instalDir: unknown field/);
});

test('a JobScheduler install folder is held to its operating system, by its place in the list', () => {
  const message = problemOf({ ...schedulerHost, jobScheduler: { installs: [schedulerHost.jobScheduler.installs[0], { os: 'unix', installDir: 'C:\\sos' }] } });
  expect(message).toMatch(/jobScheduler\.installs\[1\]\.installDir: is a Windows path but os is "unix"/);
});

test('a host without a role is refused', () => {
  expect(problemOf({ host: 'a1', notesFolder: '/var/lib/agent' })).toMatch(/spocSiteServer: give the host a role/);
});

test('emulated Windows drives are required off Windows for a Windows role, and refused on Windows', () => {
  expect(problemOf(siteServer, 'linux')).toMatch(/emulatedWindowsDrives: is required on linux/);
  expect(problemOf({ ...siteServer, emulatedWindowsDrives: '/tmp/drives' }, 'win32')).toMatch(/emulatedWindowsDrives: must not be set on Windows/);
});

test("the notes folder is a folder of the machine the agent runs on", () => {
  expect(problemOf({ ...schedulerHost, notesFolder: 'C:\\ProgramData\\spoolflow' })).toMatch(/notesFolder: is a Windows folder, but the agent runs on linux/);
  expect(problemOf({ ...siteServer, notesFolder: '/var/lib/agent' }, 'win32')).toMatch(/notesFolder: must be an absolute Windows folder/);
});

test('a file that is not JSON is named', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-agent-config-'));
  try {
    const file = path.join(dir, 'agent.json');
    writeFileSync(file, '{ host: ');
    expect(() => readAgentConfig(file)).toThrow(`agent config: ${file} is not valid JSON`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a SPOC log line format that is no usable pattern is refused with its field, before the agent starts", () => {
  expect(problemOf({ ...siteServer, spocSiteServer: { ...siteServer.spocSiteServer, logLineFormat: '(?<message>.*' } }, 'win32')).toMatch(/spocSiteServer\.logLineFormat: is not a valid regular expression/);
  expect(problemOf({ ...siteServer, spocSiteServer: { ...siteServer.spocSiteServer, logLineFormat: '^(?<timestamp>\\S+) (.*)$' } }, 'win32')).toMatch(/spocSiteServer\.logLineFormat: must name the message/);
  const format = '^\\[(?<timestamp>[^\\]]+)\\] (?<message>.*)$';
  expect(parseAgentConfig({ ...siteServer, spocSiteServer: { ...siteServer.spocSiteServer, logLineFormat: format } }, 'win32').spocSiteServer?.logLineFormat).toBe(format);
});
