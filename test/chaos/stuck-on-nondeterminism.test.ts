import path from 'node:path';
import { stuckOnNondeterminism } from '../../chaos/stuck-on-nondeterminism';
import { loadRecordedHistories } from '../helpers/recorded-histories';

const [stuck] = loadRecordedHistories(path.join(__dirname, '..', 'fixtures', 'sap-dispatcher-nondeterminism'));
const healthy = loadRecordedHistories().find((h) => h.file === 'sapSpoolDispatcher--given-twice-in-one-task.json');

test('a dispatcher whose last workflow task failed on a nondeterminism error is named stuck, with the error', () => {
  expect(stuckOnNondeterminism(stuck!.history.events ?? [])).toMatch(/TMPRL1100.*WorkflowExecutionUpdateCompleted/);
});

test('a dispatcher whose workflow tasks completed is not stuck', () => {
  expect(stuckOnNondeterminism(healthy!.history.events ?? [])).toBeUndefined();
});

test('a nondeterminism failure followed by a completed workflow task (the code was fixed) is not stuck any more', () => {
  const events = stuck!.history.events ?? [];
  const failedAt = events.findIndex((e) => e.workflowTaskFailedEventAttributes);
  expect(stuckOnNondeterminism([...events.slice(0, failedAt + 1), { workflowTaskCompletedEventAttributes: {} }])).toBeUndefined();
});
