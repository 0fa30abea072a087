/**
 * set-cluster-option:
 * Set a JobScheduler member's cluster option (SCHEDULER_CLUSTER_OPTIONS).
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/set-cluster-option.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'set-cluster-option'> = {
  cluster: {
    cluster: 'berlin',
    mode: 'passive',
    heartbeat: {
      intervalSeconds: 0.25,
      timeoutSeconds: 1.5
    },
    members: [
      {
        host: 'js-berlin-1',
        os: 'unix',
        jobSchedulerId: 'berlin',
        database: 'berlin.sqlite',
        installDir: '/opt/sos-berlin.com/jobscheduler/js-berlin-1',
        clusterOptions: '-exclusive'
      },
      {
        host: 'js-berlin-2',
        os: 'unix',
        jobSchedulerId: 'berlin',
        database: 'berlin.sqlite',
        installDir: '/opt/sos-berlin.com/jobscheduler/js-berlin-2',
        clusterOptions: '-exclusive -backup -backup-precedence=1'
      },
      {
        host: 'js-berlin-3',
        os: 'windows',
        jobSchedulerId: 'berlin',
        database: 'berlin.sqlite',
        installDir: 'C:\\Program Files\\sos-berlin.com\\jobscheduler\\js-berlin-3',
        clusterOptions: '-exclusive -backup -backup-precedence=2'
      }
    ]
  },
  host: 'js-berlin-3',
  options: '-exclusive -backup -backup-precedence=3'
};

if (require.main === module) main('set-cluster-option', input);
