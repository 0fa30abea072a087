/**
 * restart-group-with-cache-deletion:
 * Restart a SPOC group with cache deletion: stop SPOC, group service, terminal server and the other
 * services on every member, delete every member's spool cache, then start the members one at a time
 * (SPOC and group service, terminal server, ONLINE, the other services) with a wait between them.
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/restart-group-with-cache-deletion.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'restart-group-with-cache-deletion'> = {
  group: 'london',
  members: [
    {
      host: 'spoc-lon-1',
      installDir: 'C:\\Program Files\\Dispatcher Paragon',
      otherServices: [
        'Dispatcher Paragon FlexiSpooler',
        'Dispatcher Paragon Mobile Print Server'
      ]
    },
    {
      host: 'spoc-lon-2',
      installDir: 'C:\\Program Files\\Dispatcher Paragon',
      otherServices: [
        'Dispatcher Paragon FlexiSpooler',
        'Dispatcher Paragon Mobile Print Server'
      ]
    }
  ],
  waits: {
    serviceTimeoutSeconds: 60,
    groupServiceTimeoutSeconds: 60,
    onlineTimeoutSeconds: 120,
    rescueTimeoutSeconds: 120,
    convergenceSeconds: 10,
    betweenStartsSeconds: 5,
    hostPickupSeconds: 60,
    cacheDeletionTimeoutSeconds: 300
  },
  waitsOverride: {
    operator: 'spoolflow simulator',
    reason: "the simulated fleet runs on scaled time: its services start in seconds, so the runbook's minutes of waiting are seconds here"
  }
};

if (require.main === module) main('restart-group-with-cache-deletion', input);
