/**
 * remove-spoc-from-group:
 * A SPOC was removed from its group: restart the members that stay with cache deletion, then stop
 * and start the removed SPOC.
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/remove-spoc-from-group.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'remove-spoc-from-group'> = {
  group: 'prague',
  members: [
    {
      host: 'spoc-prg-1',
      installDir: 'C:\\Program Files\\Dispatcher Paragon',
      otherServices: [
        'Dispatcher Paragon FlexiSpooler',
        'Dispatcher Paragon Mobile Print Server',
        'Dispatcher Paragon Workflow Processing System'
      ]
    },
    {
      host: 'spoc-prg-2',
      installDir: 'C:\\Program Files\\Dispatcher Paragon',
      otherServices: [
        'Dispatcher Paragon FlexiSpooler',
        'Dispatcher Paragon Mobile Print Server'
      ]
    }
  ],
  removedMember: {
    host: 'spoc-prg-3',
    installDir: 'C:\\Program Files\\Dispatcher Paragon',
    otherServices: [
      'Dispatcher Paragon FlexiSpooler',
      'Dispatcher Paragon Mobile Print Server'
    ]
  },
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

if (require.main === module) main('remove-spoc-from-group', input);
