// Proves, on generated histories of jobs, cleaning runs, reports, disconnects and state changes,
// under every healing policy: nothing the rule keeps is deleted, nothing is deleted twice, and the
// report jitter stays within [0, MaxJitter]. FC_SEED=<seed> replays a failure; FC_NUM_RUNS=<n> runs more.
import fc from 'fast-check';
import { parseInput } from '../../../machines/core/input-errors';
import { isDeletable } from '../../../machines/spoolcleaning/deletion-rule';
import { firstReportDelay, nextReportDelay } from '../../../machines/spoolcleaning/report-schedule';
import { ORPHAN_HEALING, spoolCleaningConfigSchema, type JobState } from '../../../machines/spoolcleaning/spool-cleaning-config';
import { SpoolCleaningModel } from '../../helpers/spool-cleaning-model';

const HOUR = 3_600_000;
const SPOOLERS = ['spl-1', 'spl-2'];
const runs = { numRuns: Number(process.env.FC_NUM_RUNS ?? 200), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };

const state = fc.constantFrom<JobState>('waiting', 'printing', 'printed', 'failed');
const spooler = fc.constantFrom(...SPOOLERS);
const event = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('submit' as const), spooler, state }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set-state' as const), spooler, pick: fc.nat(), state }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cleaning' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('report' as const), spooler, disconnectBeforeCommand: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), spooler }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 96 }) }) },
);

/** Deletions over all generated runs: a property that never saw a deletion would prove nothing. */
let deletionsSeen = 0;

describe('spool cleaning properties', () => {
  test('nothing the rule keeps is deleted and nothing is deleted twice, under every healing policy', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORPHAN_HEALING), fc.integer({ min: 4, max: 72 }), fc.array(event, { minLength: 40, maxLength: 120 }), (healing, ttlHours, events) => {
        const config = parseInput(spoolCleaningConfigSchema, 'spool-cleaning', {
          spoolers: SPOOLERS,
          YmqProxyOptions: { DeleteJobCandidateExpirationTime: `${Math.floor(ttlHours / 24)}.${String(ttlHours % 24).padStart(2, '0')}:00:00` },
          cleaning: { rule: [{ state: 'printed', olderThan: '12:00:00' }, { state: 'failed', olderThan: '1.00:00:00' }] },
          orphans: { healing, overdueAfter: '2.00:00:00' },
        });
        const model = new SpoolCleaningModel(config);
        let now = 0;
        let next = 0;
        for (const e of events) {
          switch (e.kind) {
            case 'submit':
              model.submit(e.spooler, `job-${(next += 1)}`, e.state, now);
              break;
            case 'set-state': {
              const jobs = [...model.disks.get(e.spooler)!.keys()];
              if (jobs.length > 0) model.setState(e.spooler, jobs[e.pick % jobs.length]!, e.state);
              break;
            }
            case 'cleaning':
              model.cleaningRun(now);
              break;
            case 'report':
              model.report(e.spooler, now, { disconnectBeforeCommand: e.disconnectBeforeCommand });
              break;
            case 'reconnect':
              model.connected.set(e.spooler, true);
              break;
            case 'wait':
              now += e.hours * HOUR;
              break;
          }
        }
        deletionsSeen += model.deletions.length;
        const deleted = model.deletions.map((d) => d.jobId);
        expect(new Set(deleted).size).toBe(deleted.length);
        for (const deletion of model.deletions) expect(isDeletable(deletion.job, config.cleaning.rule, deletion.at)).toBe(true);
        if (healing === 'keep') expect(model.deletions.every((d) => model.requests.get(d.jobId)?.reissued !== true)).toBe(true);
      }),
      runs,
    );
    expect(deletionsSeen).toBeGreaterThan(0);
  });

  test('the first report comes within [0, MaxJitter], each next within [ReportingInterval, ReportingInterval + MaxJitter]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 * 24 * HOUR }), fc.integer({ min: 0, max: 24 * HOUR }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (interval, maxJitter, r) => {
        const options = { ReportingInterval: interval, MaxJitter: maxJitter };
        const first = firstReportDelay(options, () => r);
        const nextDelay = nextReportDelay(options, () => r);
        expect(first).toBeGreaterThanOrEqual(0);
        expect(first).toBeLessThanOrEqual(maxJitter);
        expect(Number.isInteger(first)).toBe(true);
        expect(nextDelay - interval).toBe(first);
      }),
      runs,
    );
  });
});
