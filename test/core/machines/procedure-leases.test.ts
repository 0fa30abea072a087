/**
 * Which leases each procedure holds for its whole run: every host it touches and every SPOC group
 * or JobScheduler cluster it changes, in one normal form and one order.
 */
import { leasesOf, procedureById } from '../../../machines/catalog';
import { LEASES_BY_CLUSTER_DATABASE } from '../../../machines/procedure-starts';
import { parseInput } from '../../../machines/core/input-errors';
import { canonicalLeases, lease, leaseWorkflowId } from '../../../machines/core/leases';
import { catalogEntries } from '../../../simulator/catalog-entries';

const member = (host: string) => ({ host, installDir: 'C:\\DP' });

function leaseIds(id: string, input: unknown): string[] {
  const procedure = procedureById(id);
  return leasesOf(procedure, parseInput(procedure.inputSchema, id, input)).map(leaseWorkflowId);
}

test('a group restart holds its group and every member', () => {
  expect(leaseIds('restart-group-without-cache-deletion', { group: 'london', members: [member('spoc-lon-1'), member('spoc-lon-2')] })).toEqual([
    'spoolflow-lease:host:spoc-lon-1',
    'spoolflow-lease:host:spoc-lon-2',
    'spoolflow-lease:spoc-group:london',
  ]);
});

test('moving a SPOC holds both groups and every host of both', () => {
  const ids = leaseIds('move-spoc-to-another-group', {
    spoc: member('c'),
    from: { group: 'prague', members: [member('a'), member('b')] },
    to: { group: 'london', members: [member('d'), member('e')] },
  });
  expect(ids).toEqual(expect.arrayContaining(['spoolflow-lease:spoc-group:prague', 'spoolflow-lease:spoc-group:london', 'spoolflow-lease:host:c']));
  expect(ids).toHaveLength(7);
});

test('an OS restart of standalone servers holds only their hosts', () => {
  expect(leaseIds('restart-os-of-standalone-spocs', { spocs: [member('spoc-bts-1'), member('spoc-bts-2')] })).toEqual(['spoolflow-lease:host:spoc-bts-1', 'spoolflow-lease:host:spoc-bts-2']);
});

test('a cluster has one supervisor and one option change at a time; an option change runs under supervision', () => {
  const example = (id: string) => catalogEntries(undefined, '/tmp/spoolflow-sim').find((e) => e.id === id)?.exampleInput;
  expect(leaseIds('supervise-passive-cluster', example('supervise-passive-cluster'))).toEqual(['spoolflow-lease:cluster-supervision:berlin']);
  expect(leaseIds('set-cluster-option', example('set-cluster-option'))).toEqual(['spoolflow-lease:cluster:berlin', 'spoolflow-lease:host:js-berlin-3']);
});

test('since leases by cluster database, a supervisor and an option change hold the database too: another name for it is the same cluster', () => {
  const example = (id: string) => catalogEntries(undefined, '/tmp/spoolflow-sim').find((e) => e.id === id)?.exampleInput;
  const since = (id: string) => {
    const procedure = procedureById(id);
    return leasesOf(procedure, parseInput(procedure.inputSchema, id, example(id)), (change) => change === LEASES_BY_CLUSTER_DATABASE).map(leaseWorkflowId);
  };
  expect(since('supervise-passive-cluster')).toEqual(['spoolflow-lease:cluster-database-supervision:berlin.sqlite', 'spoolflow-lease:cluster-supervision:berlin']);
  expect(since('supervise-active-cluster')).toEqual(['spoolflow-lease:cluster-database-supervision:munich.sqlite', 'spoolflow-lease:cluster-supervision:munich']);
  expect(since('set-cluster-option')).toEqual(['spoolflow-lease:cluster-database:berlin.sqlite', 'spoolflow-lease:cluster:berlin', 'spoolflow-lease:host:js-berlin-3']);
  // A group restart has no such change: nothing is asked of its history.
  const asked: string[] = [];
  leasesOf(procedureById('restart-group-without-cache-deletion'), { group: 'london', members: [member('a')] }, (change) => (asked.push(change), true));
  expect(asked).toEqual([]);
});

test('names in another spelling are one lease: case, surrounding space, trailing dot', () => {
  expect(canonicalLeases([lease('spoc-group', 'London '), lease('spoc-group', 'london'), lease('host', 'SPOC-LON-1.'), lease('host', 'spoc-lon-1')]).map(leaseWorkflowId)).toEqual([
    'spoolflow-lease:host:spoc-lon-1',
    'spoolflow-lease:spoc-group:london',
  ]);
});
