/**
 * supervise-passive-cluster:
 * Supervise a passive JobScheduler cluster: only the primary active; when the active member is
 * aborted or killed (heartbeat lost), fence it and activate the backup next in precedence; a normal
 * termination activates nobody; when the primary is back, terminate the backup and activate the
 * primary.
 *
 * It runs until stopped: the example starts it, follows it until it has taken its first steps and
 * stops it with abort (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/supervise-passive-cluster.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'supervise-passive-cluster'> = {
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
  watch: {
    pollMs: 100,
    maxWatchSeconds: 60
  }
};

if (require.main === module) main('supervise-passive-cluster', input, { runsUntilStopped: true });
