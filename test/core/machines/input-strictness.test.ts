/**
 * Input that means something else is refused, and names mean one thing: every input schema parses
 * group, host and cluster names to their normal form, refuses unknown keys at every level, bounds
 * names and keeps them printable, and says which field broke which rule.
 */
import path from 'node:path';
import os from 'node:os';
import { catalogEntries } from '../../../simulator/catalog-entries';
import { refusal } from '../../helpers/input-refusal';
import { plan, validateInput } from '../../../client/procedure-input';
import { workflowIdFor } from '../../../client/spoolflow-client';
import { procedureById, PROCEDURES } from '../../../machines/catalog';
import { startableById } from '../../../machines/startable';
import { describeIssues, parseInput } from '../../../machines/core/input-errors';
import { groupRestartInputSchema } from '../../../machines/spoc/spoc-group-input';
import { hostTaskQueue } from '../../../workflows/task-queues';

const member = (host: string, extra: Record<string, unknown> = {}) => ({ host, installDir: 'C:\\DP', ...extra });
const group = (extra: Record<string, unknown> = {}) => ({ group: 'london', members: [member('spoc-lon-1'), member('spoc-lon-2')], ...extra });


const examples = catalogEntries(undefined, path.join(os.tmpdir(), 'spoolflow-input-strictness-sim'));

describe('names in one normal form', () => {
  test('London, "london " and "LONDON." name one group, and the procedure runs as that one workflow', () => {
    for (const spelling of ['London', 'london ', 'LONDON.', ' london']) {
      const parsed = groupRestartInputSchema.parse(group({ group: spelling }));
      expect(parsed.group).toBe('london');
      expect(workflowIdFor('restart-group-without-cache-deletion', parsed)).toBe('spoc-group-london');
    }
  });

  test('a host is parsed to its normal form, so its steps go to the queue its agent polls', () => {
    const parsed = groupRestartInputSchema.parse(group({ members: [member('SPOC-LON-1.'), member(' spoc-lon-2 ')] }));
    expect(parsed.members.map((m) => m.host)).toEqual(['spoc-lon-1', 'spoc-lon-2']);
    expect(hostTaskQueue(parsed.members[0]?.host ?? '')).toBe('spoolflow-host-spoc-lon-1');
    expect(plan('restart-group-without-cache-deletion', group({ members: [member('SPOC-LON-1.'), member('spoc-lon-2')] })).filter((s) => s.host).map((s) => s.host)).not.toContain('SPOC-LON-1.');
  });

  test.each([
    ['a1', 'a1.'],
    ['a1', 'A1'],
    ['a1', ' a1 '],
  ])('%j and %j cannot be two members of one group', (first, second) => {
    expect(refusal('restart-group-with-cache-deletion', group({ members: [member(first), member(second)] }))).toContain('members.1.host: host "a1" is listed twice (also at members.0.host');
  });

  test('a host cannot be a member and the new member, the removed member or the moved SPOC in another spelling', () => {
    expect(refusal('add-spoc-to-group', group({ newMember: member('SPOC-LON-1.') }))).toContain('newMember.host: host "spoc-lon-1" is listed twice');
    expect(refusal('remove-spoc-from-group', group({ removedMember: member('Spoc-Lon-2') }))).toContain('removedMember.host: host "spoc-lon-2" is listed twice');
    const move = { spoc: member('spoc-x'), from: { group: 'prague', members: [member('a'), member('b')] }, to: { group: 'london', members: [member('c'), member('SPOC-X.')] } };
    expect(refusal('move-spoc-to-another-group', move)).toContain('spoc.host: host "spoc-x" is listed twice');
  });

  test('a move from "London" to "london " is no move', () => {
    const move = { spoc: member('spoc-x'), from: { group: 'London', members: [member('a'), member('b')] }, to: { group: 'london ', members: [member('c'), member('d')] } };
    expect(refusal('move-spoc-to-another-group', move)).toContain('to.group: the SPOC must move to another group');
  });

  test('the changed host of an IP change is compared in its normal form with the remaining members', () => {
    const input = { group: 'prague', changedHost: 'SPOC-PRG-1.', members: [member('spoc-prg-1'), member('spoc-prg-2')] };
    expect(refusal('ip-address-changed', input)).toContain('changedHost: the changed site server is not one of the remaining members');
    expect(validateInput('ip-address-changed', { ...input, members: [member('spoc-prg-2')] }).input).toMatchObject({ changedHost: 'spoc-prg-1' });
  });

  test('two clients\' print jobs never share a delivery\'s workflow id, however their names run together', () => {
    const example = examples.find((e) => e.id === 'deliver-print-job')?.exampleInput as { client: string; job: { id: string } };
    const idOf = (client: string, job: string) => workflowIdFor('deliver-print-job', validateInput('deliver-print-job', { ...example, client, job: { ...example.job, id: job } }).input as never);
    expect(idOf('laptop', 'ann-1')).not.toBe(idOf('laptop-ann', '1'));
    expect(idOf('laptop.corp', 'x')).not.toBe(idOf('laptop', 'corp.x'));
    expect(idOf('LAPTOP-Ann.', 'ann-1')).toBe('flexispooler-job-laptop-ann:ann-1');
  });

  test('cluster names and member hosts are normal forms; a member listed twice in another spelling is refused', () => {
    const example = examples.find((e) => e.id === 'supervise-passive-cluster')?.exampleInput as { cluster: { cluster: string; members: { host: string }[] } };
    const renamed = { ...example, cluster: { ...example.cluster, cluster: ' Berlin.', members: example.cluster.members.map((m, i) => (i === 0 ? { ...m, host: 'JS-BERLIN-1.' } : m)) } };
    const parsed = validateInput('supervise-passive-cluster', renamed).input as typeof example;
    expect(parsed.cluster.cluster).toBe('berlin');
    expect(parsed.cluster.members[0]?.host).toBe('js-berlin-1');
    expect(workflowIdFor('supervise-passive-cluster', parsed)).toBe('jobscheduler-cluster-berlin');
    const twice = { ...example, cluster: { ...example.cluster, members: [...example.cluster.members, { ...example.cluster.members[1], host: 'JS-BERLIN-2.', clusterOptions: '-exclusive -backup -backup-precedence=7' }] } };
    expect(refusal('supervise-passive-cluster', twice)).toContain('cluster.members.3.host: host "js-berlin-2" is listed twice');
  });

  test.each(['.', ' ', ' . ', '-spoc', 'spoc-', 'a..b', 'spoc_1', 'spoc lon 1', 'ünïcode', 'a'.repeat(64), `${'a.'.repeat(127)}ab`])(
    'the host name rule still refuses %j after normalising',
    (host) => {
      expect(refusal('restart-group-without-cache-deletion', group({ members: [member(host), member('spoc-lon-2')] }))).toMatch(/members\.0\.host: (a host name is required|must be a DNS host name|must be at most)/);
    },
  );

  test.each(['', '   ', '.', ' .. '])('a group name %j that normalises to nothing is refused', (name) => {
    expect(refusal('restart-group-without-cache-deletion', group({ group: name }))).toContain('group: a SPOC group name is required');
  });
});

describe('unknown keys are refused everywhere', () => {
  test('a misspelled wait is refused naming the key, instead of silently keeping the default', () => {
    const message = refusal('restart-group-with-cache-deletion', group({ waits: { betweenStartSeconds: 600 } }));
    expect(message).toContain('waits.betweenStartSeconds: unknown field "betweenStartSeconds", not allowed in waits');
  });

  /** Every object inside a value, with the path that leads to it. */
  function objectsIn(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => objectsIn(v, [...at, i]));
    if (value !== null && typeof value === 'object') return [at, ...Object.entries(value).flatMap(([k, v]) => objectsIn(v, [...at, k]))];
    return [];
  }

  function withKeyAt(value: unknown, at: (string | number)[], key: string): unknown {
    const copy = structuredClone(value) as Record<string | number, unknown>;
    let target = copy;
    for (const step of at) target = target[step] as Record<string | number, unknown>;
    target[key] = 1;
    return copy;
  }

  test.each(PROCEDURES.map((p) => p.id))('%s refuses an unknown key in every object of its example input, naming it', (id) => {
    const example = examples.find((e) => e.id === id)?.exampleInput;
    const places = objectsIn(example);
    expect(places.length).toBeGreaterThan(1);
    for (const at of places) {
      const message = refusal(id, withKeyAt(example, at, 'surplus'));
      expect(message).toContain(`${[...at, 'surplus'].join('.')}: unknown field "surplus"`);
    }
  });

  test('a nested default-filled object (waits, heartbeat, watch) is strict too, also when the example leaves it out', () => {
    expect(refusal('restart-os-of-group-members', group({ waits: { settleSecond: 600 } }))).toContain('waits.settleSecond: unknown field');
    expect(refusal('restart-group-without-cache-deletion', group({ loadOverride: { operator: 'ann', reason: 'night shift', approved: true } }))).toContain('loadOverride.approved: unknown field');
    const cluster = examples.find((e) => e.id === 'set-cluster-option')?.exampleInput as Record<string, unknown>;
    expect(refusal('set-cluster-option', { ...cluster, waits: { stopTimeoutSecond: 60 } })).toContain('waits.stopTimeoutSecond: unknown field');
    const supervisor = examples.find((e) => e.id === 'supervise-active-cluster')?.exampleInput as { cluster: object };
    expect(refusal('supervise-active-cluster', { ...supervisor, watch: { pollMS: 100 } })).toContain('watch.pollMS: unknown field');
    expect(refusal('supervise-active-cluster', { ...supervisor, cluster: { ...supervisor.cluster, heartbeat: { interval: 1 } } })).toContain('cluster.heartbeat.interval: unknown field');
  });

  test('the JSON Schema of every input says no other properties are allowed', () => {
    for (const entry of examples) expect(entry.inputSchema).toMatchObject({ additionalProperties: false });
  });

  test('an unknown key at the top level is named as such', () => {
    expect(describeIssues([{ code: 'unrecognized_keys', keys: ['grup', 'memebrs'], path: [], message: 'Unrecognized keys' } as never])).toBe(
      'grup: unknown field "grup", not allowed at the top level (misspelled? see the input schema for the fields it takes); memebrs: unknown field "memebrs", not allowed at the top level (misspelled? see the input schema for the fields it takes)',
    );
  });
});

describe('names are bounded and printable', () => {
  test.each([
    ['a group name with a line break', group({ group: 'london\nprague' }), 'group: must be printable text'],
    ['a group name with a zero-width space', group({ group: 'lon\u200bdon' }), 'group: must be printable text'],
    ['a group name with a bidirectional override', group({ group: 'london\u202e' }), 'group: must be printable text'],
    ['a too long group name', group({ group: 'g'.repeat(129) }), 'group: must be at most 128 characters'],
    ['a host with a NUL', group({ members: [member('spoc\u0000'), member('spoc-2')] }), 'members.0.host: must be printable text'],
    ['a service with an escape character', group({ members: [member('spoc-1', { otherServices: ['Dispatcher\u001b[2J'] }), member('spoc-2')] }), 'members.0.otherServices.0: must be printable text'],
    ['a blank service name', group({ members: [member('spoc-1', { otherServices: ['  '] }), member('spoc-2')] }), 'members.0.otherServices.0: must not be blank'],
    ['a too long service name', group({ members: [member('spoc-1', { otherServices: ['s'.repeat(257)] }), member('spoc-2')] }), 'members.0.otherServices.0: must be at most 256 characters'],
    ['a blank operator name in the load override', group({ loadOverride: { operator: '   ', reason: 'night shift, nobody prints' } }), 'loadOverride.operator: must not be blank'],
    ['a blank load override reason', group({ loadOverride: { operator: 'ann', reason: '         ' } }), 'loadOverride.reason: must not be blank'],
    ['an operator name with a control character', group({ loadOverride: { operator: 'ann\u0007', reason: 'night shift, nobody prints' } }), 'loadOverride.operator: must be printable text'],
    ['a too long operator name', group({ loadOverride: { operator: 'o'.repeat(101), reason: 'night shift, nobody prints' } }), 'loadOverride.operator: must be at most 100 characters'],
  ])('%s is refused naming the field and the rule', (_what, input, expected) => {
    expect(refusal('restart-group-without-cache-deletion', input)).toContain(expected);
  });

  test('a cluster name with a tab is refused; a cluster name of spaces is refused', () => {
    const supervisor = examples.find((e) => e.id === 'supervise-passive-cluster')?.exampleInput as { cluster: object };
    expect(refusal('supervise-passive-cluster', { ...supervisor, cluster: { ...supervisor.cluster, cluster: 'ber\tlin' } })).toContain('cluster.cluster: must be printable text');
    expect(refusal('supervise-passive-cluster', { ...supervisor, cluster: { ...supervisor.cluster, cluster: '   ' } })).toContain('cluster.cluster: a cluster name is required');
  });

  test('every catalog example is accepted as it is', () => {
    for (const entry of examples) expect(parseInput(startableById(entry.id).inputSchema, entry.id, entry.exampleInput)).toBeDefined();
  });
});

test('a parsed SPOC input parses to itself, as it must when the procedure continues as new with it', () => {
  for (const entry of examples.filter((e) => !e.id.includes('cluster') && e.id !== 'fleet-rollout')) {
    const schema = procedureById(entry.id).inputSchema;
    const once = schema.parse(entry.exampleInput);
    expect(schema.parse(once)).toEqual(once);
  }
});
