/**
 * The Job Service of a real estate's spool cleaning, on the central worker (docs/spool-cleaning.md#where-each-part-runs):
 * a worker on the Job Service's task queue (`spoolflow-job-service`) running the cleaning runs and
 * the reports' decisions over the durable store of delete requests (one SQLite file: the fleet
 * configuration's `spoolCleaning.jobServiceStore`), and, at every start, the schedule and the
 * spoolers' reporting loops set in step with the configuration (client/spool-cleaning.ts).
 *
 * The central worker is the store's only writer, as the product's Job Service is one service: run
 * one central worker with a `spoolCleaning` section per estate.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DeleteRequestStore } from '../activities/spoolcleaning/delete-request-store';
import { createCentralSpoolCleaningActivities, type SpoolCleaningAuditEntry } from '../activities/spoolcleaning/spool-cleaning-activities';
import { ensureSpoolCleaning } from '../client/spool-cleaning';
import { JOB_SERVICE_TASK_QUEUE, SPOOL_CLEANING_SCHEDULE_ID } from '../workflows/spoolcleaning/spool-cleaning-names';
import type { SpoolCleaningPart } from './spool-cleaning-section';

export interface JobService {
  worker: Worker;
  store: DeleteRequestStore;
}

/**
 * What the central worker's log says of the cleaning: each run, and each orphan found (a report's
 * commands are on its workflow's timeline, one a spooler every few hours would drown the log).
 */
function logged(log: (line: string) => void): (entry: SpoolCleaningAuditEntry) => void {
  return (entry) => {
    if (entry.operation === 'cleaning-run') log(`spool cleaning run ${entry.target}: ${entry.outcome}`);
    if (entry.operation === 'orphan') log(`spool cleaning: orphan ${entry.target} on ${entry.spooler}: ${entry.outcome}`);
  };
}

/** Opens the store (creating it and its folder the first time) and creates the Job Service's worker, not yet running. */
export async function createJobService(temporal: { connection: NativeConnection; namespace: string }, part: SpoolCleaningPart, log: (line: string) => void): Promise<JobService> {
  const store = new DeleteRequestStore(part.storeFile);
  try {
    const worker = await Worker.create({
      ...temporal,
      taskQueue: JOB_SERVICE_TASK_QUEUE,
      activities: createCentralSpoolCleaningActivities({ store, audit: logged(log) }),
    });
    return { worker, store };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Sets the schedule and the reporting loops in step with the configuration; one line for the log. */
export async function keepSpoolCleaningInStep(client: Client, part: SpoolCleaningPart, log: (line: string) => void): Promise<void> {
  const setUp = await ensureSpoolCleaning(client, part.config);
  const started = setUp.spoolers.filter((s) => s.outcome === 'started').map((s) => s.spooler);
  log(
    `spool cleaning: schedule ${SPOOL_CLEANING_SCHEDULE_ID} ${setUp.schedule}; ${setUp.spoolers.length} spoolers reporting` +
      (started.length > 0 ? ` (started now: ${started.join(', ')})` : '') +
      (setUp.ended.length > 0 ? `; ended, no longer configured: ${setUp.ended.join(', ')}` : '') +
      `; delete requests in ${part.storeFile}`,
  );
}
