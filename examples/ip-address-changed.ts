/**
 * ip-address-changed:
 * The IP address of a site server changed: restart the remaining members of its group with cache
 * deletion.
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/ip-address-changed.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'ip-address-changed'> = {
  group: 'prague',
  changedHost: 'spoc-prg-1',
  members: [
    {
      host: 'spoc-prg-2',
      installDir: 'C:\\Program Files\\Dispatcher Paragon',
      otherServices: [
        'Dispatcher Paragon FlexiSpooler',
        'Dispatcher Paragon Mobile Print Server'
      ]
    },
    {
      host: 'spoc-prg-3',
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

if (require.main === module) main('ip-address-changed', input);
