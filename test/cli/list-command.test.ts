/** `spoolflow list`: the visibility query from the flags, and a row from what Temporal lists. */
import { listLimit } from '../../cli/list-command';
import { listedProcedure, listQuery } from '../../cli/list-procedures';
import { TypedSearchAttributes } from '@temporalio/common';
import { HALTED_KEY, HOSTS_KEY, PROCEDURE_KEY, STEP_KEY } from '../../workflows/search-attributes';

test('without flags it lists every spoolflow procedure', () => {
  expect(listQuery({})).toBe('SpoolflowProcedure IS NOT NULL');
});

test('--procedure and --halted narrow it down; halted means running and halted', () => {
  expect(listQuery({ procedure: 'restart-group-without-cache-deletion' })).toBe("SpoolflowProcedure = 'restart-group-without-cache-deletion'");
  expect(listQuery({ halted: true, procedure: 'restart-group-with-cache-deletion' })).toBe("SpoolflowProcedure = 'restart-group-with-cache-deletion' AND SpoolflowHalted = true AND ExecutionStatus = 'Running'");
});

test('a procedure id that is not in the catalog is refused, never quoted into the query', () => {
  expect(() => listQuery({ procedure: "x' OR 1=1" })).toThrow(/unknown procedure/);
});

test('the limit is a whole number from 1 to 1000, 50 unless given', () => {
  expect(listLimit(undefined)).toBe(50);
  expect(listLimit('7')).toBe(7);
  for (const bad of ['0', '-1', '2.5', 'ten', '1001']) expect(() => listLimit(bad)).toThrow('--limit must be a whole number from 1 to 1000');
});

test('a row carries the procedure, status, step, halted and hosts from the search attributes', () => {
  const info = {
    workflowId: 'spoc-group-london',
    status: { name: 'RUNNING' },
    startTime: new Date('2026-12-05T10:00:00Z'),
    closeTime: undefined,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: PROCEDURE_KEY, value: 'restart-group-without-cache-deletion' },
      { key: STEP_KEY, value: 'memberStopSpoc' },
      { key: HALTED_KEY, value: true },
      { key: HOSTS_KEY, value: ['spoc-lon-1', 'spoc-lon-2'] },
    ]),
  };
  expect(listedProcedure(info as never)).toEqual({
    workflowId: 'spoc-group-london',
    procedure: 'restart-group-without-cache-deletion',
    status: 'running',
    step: 'memberStopSpoc',
    halted: true,
    hosts: ['spoc-lon-1', 'spoc-lon-2'],
    startTime: '2026-12-05T10:00:00.000Z',
    closeTime: null,
  });
});
