/**
 * What every example does with its procedure, through the typed client of the installed package
 * (`spoolflow/client`): start it, follow its status until it is done or halted (one line per
 * change), retry a halt once, abort it if it halts again, and print how it ended. A supervisor runs
 * until it is stopped: its example follows it until it has taken its first steps, then stops it
 * with abort.
 *
 * Temporal is found as the CLI finds it: TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS, API key)
 * or a temporal.toml profile, else 127.0.0.1:7233.
 */
import { connectClient, SpoolflowClient, type ProcedureId, type ProcedureInput, type ProcedureStatus } from 'spoolflow/client';

const OPERATOR = 'example-script';

function show(workflowId: string): (status: ProcedureStatus) => void {
  return (s) => console.log(`${workflowId}: ${s.status} at ${s.step}${s.halt ? ` (halted: ${s.halt.reason}; accepts ${s.accepts.join(', ')})` : ''}`);
}

export async function runProcedure<Id extends ProcedureId>(procedureId: Id, input: ProcedureInput<Id>, opts: { runsUntilStopped?: boolean } = {}): Promise<unknown> {
  const { client, close } = await connectClient();
  try {
    const spoolflow = new SpoolflowClient(client);
    // Start: the input is checked with the procedure's schema first; a bad one names the field.
    const { workflowId } = await spoolflow.start(procedureId, input);
    console.log(`started ${procedureId} as ${workflowId}`);
    // Watch: follow the status until done or halted (a supervisor: until it has taken steps).
    const untilStarted = (s: ProcedureStatus) => s.stepsTaken > 0 || s.status !== 'running';
    let status = await spoolflow.follow(workflowId, { onChange: show(workflowId), ...(opts.runsUntilStopped ? { until: untilStarted } : {}) });
    // Retry: once, when the halt allows it.
    if (status.status === 'halted' && status.accepts.includes('operator.retry')) {
      await spoolflow.command(workflowId, { type: 'operator.retry', operator: OPERATOR, reason: 'retry once after a halt' });
      status = await spoolflow.follow(workflowId, { onChange: show(workflowId) });
    }
    // Abort: a procedure still halted, or a supervisor (it runs until stopped).
    if (status.status === 'halted' || opts.runsUntilStopped) {
      await spoolflow.command(workflowId, { type: 'operator.abort', operator: OPERATOR, reason: opts.runsUntilStopped ? 'the example stops the supervisor' : 'still halted after a retry' });
    }
    const result = await spoolflow.result(workflowId);
    console.log(JSON.stringify(result, null, 2));
    return result;
  } finally {
    await close();
  }
}

/** Runs an example from the command line: exit code 1 and the message when it fails. */
export function main<Id extends ProcedureId>(procedureId: Id, input: ProcedureInput<Id>, opts: { runsUntilStopped?: boolean } = {}): void {
  runProcedure(procedureId, input, opts).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
