/**
 * spoolflow's typed client as a package (`import ... from 'spoolflow/client'`, package.json
 * `exports`): connect, start a procedure with input checked by its zod schema, follow its status,
 * send operator commands, wait for its result. README "From another TypeScript project";
 * examples/ has one example per procedure.
 */
export { connectClient } from './connect';
export { OperatorCommandRefusedError, SpoolflowClient, workflowIdFor, type FollowOptions, type StartedProcedure } from './spoolflow-client';
export { parseOperatorCommand } from './operator-command';
export { plan, validateInput, type ProcedureInput } from './procedure-input';
export { PROCEDURES, type ProcedureDefinition, type ProcedureId } from '../machines/catalog';
export { InvalidInputError } from '../machines/core/input-errors';
export type { PlannedStep } from '../machines/core/plan';
export type { OperatorCommand, OperatorCommandRecord, PathEntry, ProcedureStatus } from '../workflows/operator-messages';
export { CENTRAL_TASK_QUEUE } from '../workflows/task-queues';
