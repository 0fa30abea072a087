/**
 * The spool cleaning's configuration (docs/spool-cleaning.md#configuration): the product's own
 * options under their own group and key names (`StatusReportingOptions.ReportingInterval`,
 * `StatusReportingOptions.MaxJitter`, `YmqProxyOptions.DeleteJobCandidateExpirationTime`, TimeSpan
 * text with the product's defaults), and what spoolflow adds: the cleaning's CRON rule and which
 * jobs it deletes (the product leaves the rule to its Management Service; here it is data), and what
 * to do with orphans (jobs the product's edge case would keep forever).
 *
 * Validated with zod like every procedure input: unknown keys refused, each error names the key.
 */
import { z } from 'zod';
import { hostNameSchema, refuseRepeatedHosts } from '../core/input-rules';
import { formatTimeSpan, timeSpanSchema } from './timespan';

/** A print job's state on a spooler's disk. */
export const JOB_STATES = ['waiting', 'printing', 'printed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The states a rule may delete: a job being printed is never deleted from under the printer. */
export const DELETABLE_STATES = ['waiting', 'printed', 'failed'] as const;

/** What spoolflow does with an orphan: keep it (the product's behaviour), issue its request again, or list it for the operator. */
export const ORPHAN_HEALING = ['keep', 'reissue', 'report'] as const;
export type OrphanHealing = (typeof ORPHAN_HEALING)[number];

/**
 * Five CRON fields (minute hour day-of-month month day-of-week), as a Temporal Schedule takes them.
 * Checked for shape here; the server checks the values when the schedule is created.
 */
const CRON = /^\s*(\S+\s+){4}\S+\s*$/;

const ruleClauseSchema = z
  .strictObject({
    state: z.enum(DELETABLE_STATES, { message: `must be one of ${DELETABLE_STATES.join(', ')} (a job being printed is never deleted)` }),
    olderThan: timeSpanSchema({ positive: false }),
  })
  // A waiting job is one its user has not released yet: with no age at all every job would be
  // deleted before its user could reach a printer.
  .refine((clause) => clause.state !== 'waiting' || clause.olderThan > 0, { path: ['olderThan'], message: 'must be longer than zero for waiting jobs: a waiting job is one its user has not released yet' });

export const spoolCleaningConfigSchema = z
  .strictObject({
    /** The spoolers that report to the Job Service (their hosts). */
    spoolers: z.array(hostNameSchema).min(1, 'at least one spooler').max(1000, 'at most 1000 spoolers'),
    StatusReportingOptions: z
      .strictObject({
        ReportingInterval: timeSpanSchema({ positive: true }).prefault('03:00:00'),
        MaxJitter: timeSpanSchema({ positive: false }).prefault('00:15:00'),
      })
      .prefault({}),
    YmqProxyOptions: z
      .strictObject({
        DeleteJobCandidateExpirationTime: timeSpanSchema({ positive: true }).prefault('7.00:00:00'),
      })
      .prefault({}),
    cleaning: z
      .strictObject({
        cron: z.string().max(200, 'must be at most 200 characters').regex(CRON, 'must be five CRON fields, e.g. "0 2 * * *" (02:00 every day)').prefault('0 2 * * *'),
        /** A job may be deleted when one clause holds: its state, and at least that old. */
        rule: z
          .array(ruleClauseSchema)
          .min(1, 'at least one clause (a rule deleting nothing needs no cleaning)')
          .max(DELETABLE_STATES.length * 4, 'too many clauses')
          .prefault([
            { state: 'printed', olderThan: '1.00:00:00' },
            { state: 'failed', olderThan: '1.00:00:00' },
            { state: 'waiting', olderThan: '7.00:00:00' },
          ]),
      })
      .prefault({}),
    orphans: z
      .strictObject({
        healing: z.enum(ORPHAN_HEALING, { message: `must be one of ${ORPHAN_HEALING.join(', ')}` }).prefault('report'),
        /** A reported job the rule has held deletable this long, with no request cached, is an orphan. */
        overdueAfter: timeSpanSchema({ positive: true }).prefault('7.00:00:00'),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    refuseRepeatedHosts(config.spoolers.map((host, i) => ({ host, path: ['spoolers', i] })), ctx);
    // A request lives from the cleaning run until its TTL; only a report within it sends the
    // command. Reports come up to ReportingInterval + MaxJitter apart, so a shorter TTL lets most
    // requests expire unused, and their jobs become orphans instead of being deleted.
    const { ReportingInterval, MaxJitter } = config.StatusReportingOptions;
    if (config.YmqProxyOptions.DeleteJobCandidateExpirationTime <= ReportingInterval + MaxJitter) {
      ctx.addIssue({
        code: 'custom',
        path: ['YmqProxyOptions', 'DeleteJobCandidateExpirationTime'],
        message: `must be longer than StatusReportingOptions.ReportingInterval + MaxJitter (${formatTimeSpan(ReportingInterval + MaxJitter)}): a delete request must live until the spooler's next report, which sends its command`,
      });
    }
  });

/** The configuration as written (TimeSpan text, defaults left out). */
export type SpoolCleaningConfigInput = z.input<typeof spoolCleaningConfigSchema>;
/** The configuration parsed: spans in milliseconds, defaults filled in. */
export type SpoolCleaningConfig = z.output<typeof spoolCleaningConfigSchema>;
export type DeletionRule = SpoolCleaningConfig['cleaning']['rule'];
