/**
 * When Restarting the Server with the Installed SPOC, standalone SPOCs (docs/spoc-group-maintenance.md#os-restart-of-standalone-spocs): several
 * may be restarted in parallel.
 *
 *   preconditions   Management Server reachable; no load (or an explicit, recorded override);
 *                   every server named is a standalone SPOC, online now (the Management Server
 *                   says so): a group member restarted in parallel would need the restart with
 *                   cache deletion of its whole group.
 *   all at once     on every server, independently: note the running SPOC services, restart the
 *                   OS, wait until the host is back with those services, wait until the SPOC shows
 *                   online on the Management Server since the boot. A server that fails halts the
 *                   procedure once the others are done; retry runs only the failed ones again.
 */
import { assign } from 'xstate';
import { haltableStep } from '../core/haltable-step';
import type { StandaloneOsRestartInput } from './os-restart-input';
import { initialOsRestartContext, OsRestartContext, osRestartSteps } from './os-restart-steps';
import { parallelHostSteps } from '../core/parallel-host-steps';
import { scenarioMachine, ScenarioContext } from './spoc-procedure-machine';
import { SPOC_SERVICE } from './spoc-services';

export type StandaloneOsRestartContext = ScenarioContext<StandaloneOsRestartInput & { members: StandaloneOsRestartInput['spocs'] }> & OsRestartContext;
type C = StandaloneOsRestartContext;

const hostsOf = (c: C) => c.input.spocs.map((s) => s.host);
const steps = osRestartSteps<C>({
  memberOf: (c, host) => {
    const spoc = c.input.spocs.find((s) => s.host === host);
    if (!spoc) throw new Error(`${host} is not one of the SPOCs of this procedure`);
    return spoc;
  },
  othersOf: () => [],
});

export const RESTART_ALL_STATE = 'restartAllInParallel';

export const restartOsOfStandaloneSpocsMachine = scenarioMachine<StandaloneOsRestartInput>({
  id: 'restartOsOfStandaloneSpocs',
  description: 'Restart the OS of standalone SPOC servers, all in parallel, each observed back online on the Management Server.',
  spocsOf: (input) => input.spocs,
  // A standalone SPOC need not have a group service or a terminal server: only the SPOC is required.
  roleServicesOf: () => [SPOC_SERVICE],
  groupOf: () => '(standalone SPOCs)',
  first: 'checkStandalone',
  extraContext: initialOsRestartContext,
  states: {
    checkStandalone: haltableStep<C>({
      id: 'checkStandalone',
      description: 'Every server is a standalone SPOC (in no group) and online on the Management Server.',
      effect: (c) => ({ step: 'checkStandalone', title: 'Check that every SPOC is standalone and online', action: 'check-spocs-online', hosts: hostsOf(c), standalone: true }),
      next: RESTART_ALL_STATE,
    }),
    [RESTART_ALL_STATE]: parallelHostSteps<C>({
      id: RESTART_ALL_STATE,
      description: 'On every server at once: note the running services, restart the OS, wait until it is back with them and online on the Management Server.',
      hostsOf,
      steps,
      next: 'allBack',
    }),
    allBack: {
      always: { target: 'completed', actions: assign({ completedMembers: ({ context }: { context: C }) => hostsOf(context) }) },
    },
  },
  completedDescription: 'Every standalone SPOC server restarted and back online.',
});
