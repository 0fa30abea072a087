/** `spoolflow rollout pause|resume`: the Update's argument, checked before anything connects. */
import { InvalidInputError } from '../../machines/core/input-errors';
import { rolloutCommandFromArgs } from '../../cli/rollout-actions';
import { UsageError } from '../../cli/errors';

test('pause and resume become the Update operator.pause and operator.resume, with who and why', () => {
  expect(rolloutCommandFromArgs('pause', { operator: ' jdoe ', reason: 'printers busy' })).toEqual({ type: 'operator.pause', operator: 'jdoe', reason: 'printers busy' });
  expect(rolloutCommandFromArgs('resume', {})).toEqual({ type: 'operator.resume' });
});

test('another command, or none, is a usage error naming the commands', () => {
  expect(() => rolloutCommandFromArgs('abort', {})).toThrow(new UsageError('unknown rollout command "abort": pause, resume'));
  expect(() => rolloutCommandFromArgs(undefined, {})).toThrow(new UsageError('rollout needs a command: pause, resume'));
});

test('a blank operator name is refused naming the field', () => {
  expect(() => rolloutCommandFromArgs('pause', { operator: '  ' })).toThrow(InvalidInputError);
  expect(() => rolloutCommandFromArgs('pause', { operator: '  ' })).toThrow(/operator: must not be blank/);
});
