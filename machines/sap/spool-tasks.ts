/**
 * What a spool server's dispatcher is given to do: output requests and management tasks
 * (docs/sap-spool-work-processes.md#task-classes). zod schemas, so every boundary (the durable
 * dispatcher's Updates, the simulator's load) refuses a bad task naming the field and the rule.
 */
import { z } from 'zod';
import { GLOBAL_MANAGEMENT_TASKS, GlobalManagementTask, LOCAL_MANAGEMENT_TASKS, ManagementTask } from './spool-releases';

const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(120, 'must be at most 120 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');

export const outputRequestSchema = z
  .strictObject({
    kind: z.literal('output'),
    /** The spool request's id; a request with an id already taken is the same request (given twice). */
    id: idSchema,
    /** The R/3 output device. */
    device: idSchema,
    /** The device is set to process its requests in their order (a set sequence). */
    sequence: z.boolean(),
    /** A frontend print request (as of 4.6A processed by the spool service). */
    frontend: z.boolean().default(false),
  })
  .refine((r) => !(r.sequence && r.frontend), {
    message: 'a frontend request cannot go to a device with a set sequence: spoolflow keeps frontend output to devices without one (docs/sap-spool-work-processes.md#what-the-source-left-open)',
    path: ['sequence'],
  });
export type OutputRequest = z.infer<typeof outputRequestSchema>;

export const managementTaskSchema = z.strictObject({
  kind: z.literal('management'),
  /** This run of the task (e.g. `host-spool-demand-2026-12-05T12:00`); given twice, it is the same run. */
  id: idSchema,
  task: z.enum([...LOCAL_MANAGEMENT_TASKS, ...GLOBAL_MANAGEMENT_TASKS]),
});
export type ManagementRequest = z.infer<typeof managementTaskSchema>;

export const spoolTaskSchema = z.union([outputRequestSchema, managementTaskSchema]);
export type SpoolTask = OutputRequest | ManagementRequest;

const GLOBAL: readonly string[] = GLOBAL_MANAGEMENT_TASKS;
export const isGlobalManagement = (task: ManagementTask): task is GlobalManagementTask => GLOBAL.includes(task);

/** For logs and the operation record: `output:r-17@lp01`, `management:link-check`. */
export function describeTask(task: SpoolTask): string {
  return task.kind === 'output' ? `output ${task.id} to ${task.device}${task.sequence ? ' (in sequence)' : ''}${task.frontend ? ' (frontend)' : ''}` : `${task.task} ${task.id}`;
}
