/**
 * supervise-active-cluster:
 * Supervise an active JobScheduler cluster: hand each step of distributed orders to the
 * least-loaded alive member, in chain order; steps of a member that dies run again elsewhere.
 *
 * It runs until stopped: the example starts it, follows it until it has taken its first steps and
 * stops it with abort (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/supervise-active-cluster.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'supervise-active-cluster'> = {
  cluster: {
    cluster: 'munich',
    mode: 'active',
    heartbeat: {
      intervalSeconds: 0.25,
      timeoutSeconds: 1.5
    },
    members: [
      {
        host: 'js-munich-1',
        os: 'unix',
        jobSchedulerId: 'munich',
        database: 'munich.sqlite',
        installDir: '/opt/sos-berlin.com/jobscheduler/js-munich-1',
        clusterOptions: '-exclusive -distributed-orders'
      },
      {
        host: 'js-munich-2',
        os: 'unix',
        jobSchedulerId: 'munich',
        database: 'munich.sqlite',
        installDir: '/opt/sos-berlin.com/jobscheduler/js-munich-2',
        clusterOptions: '-exclusive -distributed-orders'
      },
      {
        host: 'js-munich-3',
        os: 'unix',
        jobSchedulerId: 'munich',
        database: 'munich.sqlite',
        installDir: '/opt/sos-berlin.com/jobscheduler/js-munich-3',
        clusterOptions: '-exclusive -distributed-orders'
      }
    ]
  },
  watch: {
    pollMs: 100,
    maxWatchSeconds: 60
  }
};

if (require.main === module) main('supervise-active-cluster', input, { runsUntilStopped: true });
