/**
 * The runtime's versions. Version 2 takes a step with far fewer promises (the SDK records a stack
 * trace for every promise a workflow creates, the runtime's main cost per step): each event is
 * taken as it is queued instead of after a `wf.condition` (event-driver.ts), an effect is
 * scheduled as soon as it starts in a reused cancellation scope, hosts' effects wait for each
 * other through callbacks (effects-in-flight.ts, host-lanes.ts, reusable-scopes.ts): three
 * promises a step, as a hand-written workflow makes, where version 1 made fourteen. That moves
 * commands within a workflow task (an activity is scheduled before the step's search attributes
 * are set), so it runs only behind the `wf.patched` marker: a run recorded before it (no marker in
 * its history) replays on version 1, byte for byte; every new run records the marker and takes
 * version 2.
 */
import * as wf from '@temporalio/workflow';

export const RUNTIME_V2_PATCH = 'spoolflow-runtime-v2';

/** The version this run takes: call once, before the run's first command. */
export function runtimeVersion(): 1 | 2 {
  return wf.patched(RUNTIME_V2_PATCH) ? 2 : 1;
}
