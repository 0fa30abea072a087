/**
 * restart-group-without-cache-deletion:
 * Restart a SPOC group without cache deletion, one member at a time: stop SPOC, group service,
 * terminal server and the other services, start them again, wait for ONLINE and for the cache
 * rescue, let the distributed layer converge, then the next member.
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/restart-group-without-cache-deletion.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'restart-group-without-cache-deletion'> = {
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

if (require.main === module) main('restart-group-without-cache-deletion', input);
