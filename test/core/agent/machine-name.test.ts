/**
 * An agent runs only on the machine its configuration names: a configuration copied to another
 * server is refused before the agent connects, unless it says, with a reason, that the names differ
 * on purpose.
 */
import { AgentConfigError, parseAgentConfig } from '../../../agent/agent-config';
import { checkMachineName, firstLabel } from '../../../agent/machine-name';

const schedulerHost = { host: 'js-berlin-1.corp.example.com', notesFolder: '/var/lib/spoolflow-agent', jobScheduler: { installs: [{ os: 'unix', installDir: '/opt/sos-berlin.com/jobscheduler/berlin' }] } };

function refusal(config: unknown, machineName: string): AgentConfigError {
  try {
    checkMachineName(parseAgentConfig(config, 'linux'), machineName);
  } catch (err) {
    expect(err).toBeInstanceOf(AgentConfigError);
    return err as AgentConfigError;
  }
  throw new Error(`the agent would start on ${machineName}`);
}

test("the agent starts on the machine host names, compared by first label in any case", () => {
  const config = parseAgentConfig(schedulerHost, 'linux');
  expect(checkMachineName(config, 'JS-BERLIN-1')).toEqual({ name: 'JS-BERLIN-1' });
  expect(checkMachineName(config, 'js-berlin-1.other.example.net.').name).toBe('js-berlin-1.other.example.net.');
  expect(checkMachineName(parseAgentConfig({ ...schedulerHost, host: 'JS-Berlin-1' }, 'linux'), 'js-berlin-1').skippedBecause).toBeUndefined();
});

test("a configuration copied to another server is refused, naming host, the machine's name and the fix", () => {
  const err = refusal(schedulerHost, 'js-berlin-2');
  expect(err.message).toMatch(/^agent config: host: "js-berlin-1\.corp\.example\.com" is not this machine, whose name is "js-berlin-2"/);
  expect(err.message).toContain('Use this server\'s own configuration (host "js-berlin-2"');
  expect(err.message).toContain('"machineNameCheck": {"skip": true, "reason": "<why>"}');
});

test('a host name that only begins like the machine name is another machine', () => {
  expect(refusal({ ...schedulerHost, host: 'js-berlin-10' }, 'js-berlin-1').message).toContain('is not this machine');
});

test('the check is skipped only with a reason, and the reason is what the agent prints at start', () => {
  const reason = 'the procedures know this server by its alias js-berlin-1';
  const machine = checkMachineName(parseAgentConfig({ ...schedulerHost, machineNameCheck: { skip: true, reason } }, 'linux'), 'lx-0042');
  expect(machine.name).toBe('lx-0042');
  expect(machine.skippedBecause).toBe(`machineNameCheck.skip: this machine is "lx-0042" and host is "js-berlin-1.corp.example.com"; not compared, because: ${reason}`);
});

test('a skip without a reason, or not true, is refused with its field', () => {
  expect(() => parseAgentConfig({ ...schedulerHost, machineNameCheck: { skip: true } }, 'linux')).toThrow(/machineNameCheck\.reason: /);
  expect(() => parseAgentConfig({ ...schedulerHost, machineNameCheck: { skip: true, reason: '  ' } }, 'linux')).toThrow(/machineNameCheck\.reason: is required/);
  expect(() => parseAgentConfig({ ...schedulerHost, machineNameCheck: { skip: false, reason: 'x' } }, 'linux')).toThrow(/machineNameCheck\.skip: must be true/);
});

test('a first label is the name before the first dot, in normal form', () => {
  expect(firstLabel(' SPOC-LON-1.corp.example.com. ')).toBe('spoc-lon-1');
  expect(firstLabel('spoc-lon-1')).toBe('spoc-lon-1');
});
