/**
 * Every operator command takes an optional operator and reason, never blank when given, and
 * nothing else it would ignore; the CLI puts `--operator` and `--reason` into the Update payload of
 * every command, and the typed client sends the parsed payload.
 */
import { operatorCommandFromArgs, OperatorUsageError } from '../../cli/operator-command';
import { parseOperatorCommand } from '../../client/operator-command';
import { SpoolflowClient } from '../../client/spoolflow-client';
import { operatorCommandSchema } from '../../workflows/operator-messages';

const COMMANDS = operatorCommandSchema.options.map((o) => o.shape.type.value);

function refusal(command: unknown): string {
  try {
    parseOperatorCommand(command);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('the operator command schema', () => {
  test.each(['operator.retry', 'operator.skip', 'operator.abort', 'operator.startGroupService'])('%s takes who sends it and why, and also neither', (type) => {
    expect(parseOperatorCommand({ type, operator: 'ann', reason: 'the SPOC was restarted by hand' })).toEqual({ type, operator: 'ann', reason: 'the SPOC was restarted by hand' });
    expect(parseOperatorCommand({ type })).toEqual({ type });
  });

  test('an order may say who submitted it and why', () => {
    expect(parseOperatorCommand({ type: 'operator.submitOrder', chain: 'etl', order: 'o-1', operator: 'ann', reason: 'month end' })).toMatchObject({ operator: 'ann', reason: 'month end' });
  });

  test('overrideLoad still needs both', () => {
    expect(refusal({ type: 'operator.overrideLoad', reason: 'nobody prints at night' })).toContain('operator:');
    expect(refusal({ type: 'operator.overrideLoad', operator: 'ann' })).toContain('reason:');
  });

  test.each(COMMANDS)('%s refuses a blank operator or reason and a key it does not take, naming it', (type) => {
    const base = type === 'operator.submitOrder' ? { type, chain: 'etl', order: 'o-1' } : type === 'operator.overrideLoad' ? { type, operator: 'ann', reason: 'nobody prints at night' } : { type };
    expect(refusal({ ...base, operator: '   ' })).toContain('operator: must not be blank');
    expect(refusal({ ...base, reason: ' \n ' })).toMatch(/reason: must (not be blank|be printable)/);
    expect(refusal({ ...base, reason: '\t' })).toContain('reason: must');
    expect(refusal({ ...base, operator: 'ann\u0000' })).toContain('operator: must be printable text');
    expect(refusal({ ...base, reasn: 'typo' })).toContain('reasn: unknown field "reasn"');
  });
});

describe('spoolflow operator <workflowId> <command> [--operator] [--reason]', () => {
  test.each(['retry', 'skip', 'abort', 'startGroupService'])('%s carries --operator and --reason into the Update payload', (command) => {
    expect(operatorCommandFromArgs(command, { operator: 'ann', reason: 'checked the host by hand' })).toEqual({ type: `operator.${command}`, operator: 'ann', reason: 'checked the host by hand' });
  });

  test('overrideLoad and submitOrder carry them too', () => {
    expect(operatorCommandFromArgs('overrideLoad', { operator: 'ann', reason: 'nobody prints at night' })).toEqual({ type: 'operator.overrideLoad', operator: 'ann', reason: 'nobody prints at night' });
    expect(operatorCommandFromArgs('submitOrder', { chain: 'etl', order: 'o-1', operator: 'ann' })).toEqual({ type: 'operator.submitOrder', chain: 'etl', order: 'o-1', operator: 'ann' });
  });

  test('a flag the command does not take, a misspelled flag or a flag without its value is refused', () => {
    expect(() => operatorCommandFromArgs('retry', { chain: 'etl' })).toThrow(/chain: unknown field "chain"/);
    expect(() => operatorCommandFromArgs('retry', { reson: 'typo' })).toThrow(OperatorUsageError);
    expect(() => operatorCommandFromArgs('retry', { operator: true })).toThrow('--operator needs a value');
  });
});

describe('the typed client', () => {
  /** A client whose Temporal handle records the Update payloads it is asked to send. */
  function recordingClient() {
    const sent: unknown[] = [];
    const handle = { executeUpdate: async (_update: unknown, options: { args: unknown[] }) => (sent.push(options.args[0]), {}) };
    return { client: new SpoolflowClient({ workflow: { getHandle: () => handle } } as never), sent };
  }

  test('sends who and why with any command', async () => {
    const { client, sent } = recordingClient();
    await client.command('spoc-group-london', { type: 'operator.skip', operator: 'ann', reason: 'host is gone for good' });
    expect(sent).toEqual([{ type: 'operator.skip', operator: 'ann', reason: 'host is gone for good' }]);
  });

  test('refuses an invalid command before sending anything', async () => {
    const { client, sent } = recordingClient();
    await expect(client.command('spoc-group-london', { type: 'operator.retry', operator: ' ' })).rejects.toThrow('operator: must not be blank');
    await expect(client.command('spoc-group-london', { type: 'operator.retry', force: true } as never)).rejects.toThrow('force: unknown field');
    expect(sent).toEqual([]);
  });
});
