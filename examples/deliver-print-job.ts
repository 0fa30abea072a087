/**
 * deliver-print-job:
 * Deliver one print job from a FlexiSpooler Client, failing over between the Spooler Controllers of
 * its location, through the public server to the data center when none answers, queued (saying why)
 * when nothing is reachable; then held until the user authenticates at a printer.
 *
 * The example starts it, follows it until it is done or halted, retries a halt once and aborts it
 * if it halts again (examples/run-procedure.ts). A delivered job is done only when its user
 * authenticates at a printer: on the simulated estate of `npm start`,
 * `npx spoolflow sim network authenticate ann printer-prg-1`. While it waits, an operator may
 * redirect it (`npx spoolflow operator <workflowId> redirect --location london`) or cancel it.
 *
 * The input is the catalog's example (`spoolflow catalog`), for the simulated network of `npm
 * start`; on your estate name your own locations and servers. Run: `npx tsx examples/deliver-print-job.ts`.
 */
import type { ProcedureInput } from 'spoolflow/client';
import { main } from './run-procedure';

export const input: ProcedureInput<'deliver-print-job'> = {
  client: 'laptop-ann',
  user: 'ann',
  job: {
    id: 'ann-0001',
    document: 'quarterly report.pdf'
  },
  installation: {
    location: 'prague',
    discovery: 'dhcp-option-9'
  },
  estate: {
    locations: [
      {
        name: 'prague',
        servers: [
          {
            host: 'sc-prg-1',
            runs: [
              'spooler-controller',
              'flexispooler-spooling-server'
            ]
          }
        ],
        printers: [
          'printer-prg-1'
        ]
      },
      {
        name: 'london',
        servers: [
          {
            host: 'sc-lon-1',
            runs: [
              'spooler-controller',
              'flexispooler-spooling-server'
            ]
          },
          {
            host: 'sc-lon-2',
            runs: [
              'spooler-controller',
              'flexispooler-spooling-server'
            ]
          }
        ],
        printers: [
          'printer-lon-1'
        ]
      },
      {
        name: 'bratislava',
        servers: [
          {
            host: 'sc-bts-1',
            runs: [
              'spooler-controller',
              'flexispooler-spooling-server'
            ]
          }
        ],
        printers: [
          'printer-bts-1'
        ]
      }
    ]
  },
  waits: {
    retrySeconds: 5,
    releaseWatchSeconds: 30
  }
};

if (require.main === module) main('deliver-print-job', input);
