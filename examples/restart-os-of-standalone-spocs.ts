/**
 * restart-os-of-standalone-spocs:
 * Restart the operating system of standalone SPOC servers, in parallel: each is restarted on the
 * host, then observed back (new boot time, its services running) and online on the Management
 * Server.
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts).
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated estate of `npm
 * start`; on your estate name your own hosts. Run: `npx tsx examples/restart-os-of-standalone-spocs.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'restart-os-of-standalone-spocs'> = {
  spocs: [
    {
      host: 'spoc-bts-1',
      installDir: 'C:\\Program Files\\Dispatcher Paragon',
      otherServices: [
        'Dispatcher Paragon FlexiSpooler',
        'Dispatcher Paragon Mobile Print Server'
      ]
    },
    {
      host: 'spoc-bts-2',
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
    cacheDeletionTimeoutSeconds: 300,
    restartDelaySeconds: 5,
    bootTimeoutSeconds: 300,
    settleSeconds: 10
  },
  waitsOverride: {
    operator: 'spoolflow simulator',
    reason: "the simulated fleet runs on scaled time: its services start in seconds, so the runbook's minutes of waiting are seconds here"
  }
};

if (require.main === module) main('restart-os-of-standalone-spocs', input);
