/**
 * The fleet configuration's optional `spoolCleaning` section: the spool cleaning of a real estate
 * (docs/spool-cleaning.md). It is the spool cleaning's own configuration
 * (machines/spoolcleaning/spool-cleaning-config.ts: the spoolers, the product's TimeSpan options,
 * the CRON rule, the deletion rule, the orphans' policy), checked by that same schema, plus where
 * the Job Service keeps its durable store of delete requests on the central worker's machine
 * (`jobServiceStore`, an SQLite file, relative to the fleet file's folder like its other paths).
 *
 * Errors name the key under the section: `spoolCleaning.StatusReportingOptions.MaxJitter: ...`.
 */
import path from 'node:path';
import { z } from 'zod';
import { printableText } from '../machines/core/input-rules';
import { spoolCleaningConfigSchema, type SpoolCleaningConfigInput } from '../machines/spoolcleaning/spool-cleaning-config';

/** The key of the store's file in the section; not part of the cleaning's own configuration. */
const STORE_KEY = 'jobServiceStore';

/** The section as the fleet configuration's schema checks it: the cleaning's configuration, with its rules, and the store. */
export const spoolCleaningSectionSchema = spoolCleaningConfigSchema.safeExtend({
  /** The Job Service's SQLite file (docs/spool-cleaning.md#the-durable-store); created, with its folder, when the worker first opens it. */
  [STORE_KEY]: printableText(4096)
    .refine((p) => p.trim() !== '', 'must not be blank: give the path of the Job Service\'s store, e.g. "/var/lib/spoolflow/job-service.sqlite"')
    .refine((p) => !/[\\/]$/.test(p), 'must be a file, not a folder: e.g. "/var/lib/spoolflow/job-service.sqlite"'),
});

/** The spool cleaning of a loaded fleet: its configuration as written, and the store's absolute path. */
export interface SpoolCleaningPart {
  /**
   * The section less `jobServiceStore`, exactly as written (TimeSpan text, defaults left out):
   * what the schedule and the reporting loops are given, and whose fingerprint tells a change.
   */
  config: SpoolCleaningConfigInput;
  /** Absolute. */
  storeFile: string;
  spoolers: string[];
}

/**
 * The part from the section as written (`raw`, already accepted by {@link spoolCleaningSectionSchema})
 * and as parsed; `folder` is the fleet file's folder, against which the store's path is resolved.
 */
export function spoolCleaningPart(raw: unknown, parsed: z.output<typeof spoolCleaningSectionSchema>, folder: string): SpoolCleaningPart {
  const { [STORE_KEY]: _store, ...config } = raw as Record<string, unknown>;
  return { config: config as SpoolCleaningConfigInput, storeFile: path.resolve(folder, parsed.jobServiceStore), spoolers: parsed.spoolers };
}
