/**
 * The chaos run's spool cleaning checker (chaos/spool-cleaning-invariants.ts) finds a job deleted
 * twice, a job the rule keeps deleted, and a job gone without a deletion, in hand-made spooler
 * records, and finds nothing in a clean cleaning: an old printed job deleted after its report, a
 * repeated command finding it gone, a new one kept.
 */
import type { OperationRecordEntry } from '../../simulator/core/operation-record';
import { spoolCleaningBreaks, type SpoolCleaningObservation, type SpooledJob } from '../../chaos/spool-cleaning-invariants';
import { spoolCleaningConfigSchema } from '../../machines/spoolcleaning/spool-cleaning-config';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 10);
const at = (ms: number, operation: string, target: string, outcome: string, host = 'spl-lon-1'): OperationRecordEntry => ({ time: new Date(T0 + ms).toISOString(), host, operation, target, outcome });
const rule = spoolCleaningConfigSchema.parse({ spoolers: ['spl-lon-1'] }).cleaning.rule;

const job = (jobId: string, state: string, ageHours: number, atMs = 0): SpooledJob => ({ spooler: 'spl-lon-1', jobId, state, submittedAt: T0 - ageHours * HOUR, at: T0 + atMs });
const spooled = () => [job('old', 'printed', 72), job('new', 'printed', 1), job('busy', 'printing', 200)];
const cleanRecord = () => [at(1000, 'report', '3 jobs', 'sent'), at(1500, 'delete-job', 'old', 'deleted'), at(9000, 'report', '2 jobs', 'sent'), at(9500, 'delete-job', 'old', 'already-gone')];

function observation(over: Partial<SpoolCleaningObservation> = {}): SpoolCleaningObservation {
  return { record: cleanRecord(), spooled: spooled(), rule, onDiskAfter: { 'spl-lon-1': ['new', 'busy'] }, ...over };
}
const kinds = (run: SpoolCleaningObservation) => spoolCleaningBreaks(run).map((b) => b.invariant);

test('an old printed job deleted once after its report, a repeated command finding it gone, the others kept: no break', () => {
  expect(kinds(observation())).toEqual([]);
});

test('a job deleted twice is a break', () => {
  expect(kinds(observation({ record: [...cleanRecord(), at(9600, 'delete-job', 'old', 'deleted')] }))).toEqual(['spool-job-deleted-twice']);
});

test('deleting a job the rule keeps at its spooler\'s report is a break: too new, being printed, or with no report before', () => {
  expect(kinds(observation({ record: [...cleanRecord(), at(9600, 'delete-job', 'new', 'deleted')], onDiskAfter: { 'spl-lon-1': ['busy'] } }))).toEqual(['spool-kept-job-deleted']);
  expect(kinds(observation({ record: [...cleanRecord(), at(9600, 'delete-job', 'busy', 'deleted')], onDiskAfter: { 'spl-lon-1': ['new'] } }))).toEqual(['spool-kept-job-deleted']);
  expect(kinds(observation({ record: [at(500, 'delete-job', 'old', 'deleted')] }))).toEqual(['spool-kept-job-deleted']);
});

test('a job printed again at its report is kept; printed again only after the report that sent the command, it is the product\'s race', () => {
  const reprintedBefore = [...spooled(), job('old', 'printing', 72, 500)];
  expect(kinds(observation({ spooled: reprintedBefore }))).toEqual(['spool-kept-job-deleted']);
  const reprintedAfter = [...spooled(), job('old', 'printing', 72, 1200)];
  expect(kinds(observation({ spooled: reprintedAfter }))).toEqual([]);
});

test('a job gone from its spooler without a deletion in the record is lost', () => {
  expect(kinds(observation({ onDiskAfter: { 'spl-lon-1': ['busy'] } }))).toEqual(['spool-job-lost']);
});
