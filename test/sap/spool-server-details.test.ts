/**
 * What a spool server's dispatcher shows on its run's page in the Web UI
 * (machines/sap/spool-server-details.ts): in service, holding for its shutdown with its last
 * failure, shut down naming where its requests went and the Update that brings it back, back in
 * service with who brought it back; what its work processes do and what waits; requests the other
 * server refused.
 */
import { createSpoolServer } from '../../machines/sap/spool-dispatcher';
import type { SpoolServerShutdown } from '../../machines/sap/spool-shutdown';
import { spoolServerDetails } from '../../machines/sap/spool-server-details';

const state = () => {
  const s = createSpoolServer({ server: 'spool1', step: '4.6A-and-later', workProcesses: 3 });
  return {
    ...s,
    workProcesses: s.workProcesses.map((wp, i) => (i === 0 ? { ...wp, running: { kind: 'output' as const, id: 'r-1', device: 'lp01', sequence: true, frontend: false }, reservedFor: 'lp01', inputQueue: [{ kind: 'output' as const, id: 'r-2', device: 'lp01', sequence: true, frontend: false }] } : wp)),
    waiting: [{ kind: 'output' as const, id: 'r-3', device: 'lp10', sequence: false, frontend: false }],
  };
};
const holding: SpoolServerShutdown = { phase: 'holding', reassignTo: 'spool2', askedAt: '2026-12-07T10:00:00.000Z', operator: 'ann', reason: 'disk swap', reassigned: 0, notReassigned: [] };

test('in service: the server, what its work processes do and what waits, and how to shut it down', () => {
  expect(spoolServerDetails({ system: 'prd', state: state(), holdsGlobalManagement: true, shutdown: null }).split('\n')).toEqual([
    '**Spool server spool1** of SAP system **prd** (release step 4.6A-and-later)',
    '',
    'In service: Update `sap.shutDownSpoolServer` shuts it down, its output requests going to another spool server.',
    '',
    "Work processes: 3, 1 busy; 1 tasks in the dispatch queue, 1 in work processes' input queues. Holds the global management slot of the system.",
  ]);
});

test('holding for its shutdown: who asked and why, where the requests go, its last failure', () => {
  const details = spoolServerDetails({ system: 'prd', state: state(), holdsGlobalManagement: false, shutdown: { ...holding, lastFailure: 'no dispatcher runs for spool server spool2' } });
  expect(details).toContain('**Holding** for its shutdown (asked 2026-12-07T10:00:00.000Z by ann: disk swap): it starts nothing new; its output requests go to **spool2** once no set-sequence request prints here (0 moved so far). Last try: no dispatcher runs for spool server spool2.');
  expect(details).not.toContain('global management slot');
});

test('shut down: where its requests went, that it refuses new tasks, and the Update that brings it back; requests refused by the other server', () => {
  const shutDown: SpoolServerShutdown = { ...holding, phase: 'shut-down', shutDownAt: '2026-12-07T10:02:00.000Z', reassigned: 7, notReassigned: [{ id: 'r-9', device: 'lp02', reason: 'full' }] };
  const details = spoolServerDetails({ system: 'prd', state: state(), holdsGlobalManagement: false, shutdown: shutDown });
  expect(details).toContain('**Shut down** since 2026-12-07T10:02:00.000Z (asked 2026-12-07T10:00:00.000Z by ann: disk swap): 7 output requests went to **spool2**, and new tasks are refused naming it. Update `sap.returnSpoolServerToService` brings spool1 back (with `movedRequestsChecked`, once you have looked at spool2).');
  expect(spoolServerDetails({ system: 'prd', state: state(), holdsGlobalManagement: false, shutdown: { ...shutDown, reassigned: 0, notReassigned: [], targetFixed: true, partlyGiven: false } })).toContain('brings spool1 back.');
  expect(details).toContain('**1 output requests refused by spool2**');
});

test('back in service: since when and who brought it back', () => {
  const lastShutdown = { ...holding, phase: 'shut-down' as const, returnedAt: '2026-12-07T11:00:00.000Z', returnedBy: 'bob' };
  expect(spoolServerDetails({ system: 'prd', state: state(), holdsGlobalManagement: false, shutdown: null, lastShutdown })).toContain('In service (back after a shutdown since 2026-12-07T11:00:00.000Z by bob): ');
  expect(spoolServerDetails({ system: 'prd', state: state(), holdsGlobalManagement: false, shutdown: null, lastShutdown: { ...lastShutdown, returnedBy: undefined, returnReason: 'spool2 is gone' } })).toContain('(back after a shutdown since 2026-12-07T11:00:00.000Z because spool2 is gone)');
});
