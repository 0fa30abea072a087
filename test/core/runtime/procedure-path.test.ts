/**
 * The record a procedure carries from run to run: a run that never ends (an active cluster's
 * supervisor takes every order as an operator command) keeps the latest operator commands and the
 * count of all, so what it hands to the next run stays the same size however long it runs.
 */
import { OPERATOR_COMMANDS_KEPT, ProcedurePath } from '../../../workflows/runtime/procedure-path';
import type { ResumeState } from '../../../workflows/runtime/resume-state';

const order = (n: number) => ({ type: 'operator.submitOrder', operator: 'erp', reason: `order ${n}` });

function resumed(over: Partial<ResumeState>): ResumeState {
  return { value: 'supervising', context: {}, pendingEffects: [], timers: [], path: [], stepsTaken: 0, ...over };
}

test('past the kept number, the oldest operator commands give way and the count says how many there were', () => {
  const path = new ProcedurePath();
  for (let n = 1; n <= OPERATOR_COMMANDS_KEPT + 50; n++) path.noteOperatorCommand(order(n), 'supervising');
  expect(path.operatorCommands).toHaveLength(OPERATOR_COMMANDS_KEPT);
  expect(path.operatorCommands[0]).toMatchObject({ type: 'operator.submitOrder', reason: 'order 51' });
  expect(path.operatorCommands.at(-1)).toMatchObject({ reason: `order ${OPERATOR_COMMANDS_KEPT + 50}` });
  expect(path.operatorCommandsTaken).toBe(OPERATOR_COMMANDS_KEPT + 50);
  expect(path.resultWith({ outcome: 'aborted' })).toEqual({ outcome: 'aborted', operatorCommands: path.operatorCommands, operatorCommandsTaken: OPERATOR_COMMANDS_KEPT + 50 });
});

test('the count goes on from the run before; a run before the count (every command carried) counts what it carried', () => {
  const carried = Array.from({ length: 3 }, (_, i) => ({ type: 'operator.retry', step: 's', at: '2026-12-01T00:00:00.000Z', reason: `r${i}` }));
  const older = new ProcedurePath(resumed({ operatorCommands: carried }));
  expect(older.operatorCommandsTaken).toBe(3);
  // All were kept: the result has no count, as before.
  expect(older.resultWith({ outcome: 'completed' })).toEqual({ outcome: 'completed', operatorCommands: carried });

  const later = new ProcedurePath(resumed({ operatorCommands: carried, operatorCommandsTaken: 9_000 }));
  later.noteOperatorCommand(order(9_001), 'supervising');
  expect(later.operatorCommandsTaken).toBe(9_001);
  expect(later.operatorCommands).toHaveLength(4);
});
