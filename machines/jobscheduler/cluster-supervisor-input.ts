/**
 * Inputs of the JobScheduler cluster supervisors: the cluster definition and how the supervisor
 * watches it. Members are named by their host (one JobScheduler of a cluster per host), which is
 * also their id in the cluster database.
 */
import { z } from 'zod';
import { jobSchedulerClusterSchema } from './jobscheduler-cluster-input';

const watchSchema = z
  .strictObject({
    pollMs: z.number().int().min(20).max(5000).default(100).describe('How often the cluster database is read while watching.'),
    maxWatchSeconds: z.number().int().min(1).max(600).default(60).describe('A watch that saw no change reports after this long (keeps the history small and the status fresh).'),
    terminateTimeoutSeconds: z.number().int().min(1).max(600).default(60).describe('How long a member may take to end normally when the supervisor terminates it.'),
  })
  .prefault({});

function supervisorInput(mode: 'passive' | 'active') {
  return z
    .strictObject({
      cluster: jobSchedulerClusterSchema,
      watch: watchSchema,
    })
    .superRefine((input, ctx) => {
      if (input.cluster.mode !== mode) {
        ctx.addIssue({ code: 'custom', path: ['cluster', 'mode'], message: `this supervisor runs ${mode} clusters; "${input.cluster.cluster}" is ${input.cluster.mode}` });
      }
    });
}

export const passiveSupervisorInputSchema = supervisorInput('passive');
export const activeSupervisorInputSchema = supervisorInput('active');
export type SupervisorInput = z.infer<typeof passiveSupervisorInputSchema>;
