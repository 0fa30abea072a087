/**
 * How `submitFollowingShutdowns` chooses where a task goes next, given the answers of the
 * dispatchers (a stand-in for the Temporal client, which only answers or refuses the Update here):
 * it never gives a task twice to one server, and throws what it will not follow. That it follows a
 * real shut-down server's refusal is tested on a real server (integration/spool-shutdown.test.ts).
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { forwardOfShutDownRefusal, givingRouteFrom, submitFollowingShutdowns } from '../../../client/sap-spool-submit';
import { InvalidInputError } from '../../../machines/core/input-errors';
import { SPOOL_SERVER_SHUT_DOWN } from '../../../machines/sap/spool-shutdown';
import type { SpoolTask } from '../../../machines/sap/spool-tasks';

/**
 * Dispatchers by server: a server named in `shutDownTo` (which a test may change) refuses every task
 * as shut down, naming its forward; the others take it (`new`, then `already-held`). The first
 * `answersLost` answers of a server that took a task are lost on their way back.
 */
function dispatchers(shutDownTo: Record<string, string>, answersLost = 0): { client: Client; asked: string[] } {
  const asked: string[] = [];
  const held = new Set<string>();
  let lost = answersLost;
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        executeUpdate: async (_update: unknown, { args }: { args: [SpoolTask] }) => {
          const server = workflowId.replace(/^sap-spool-dispatcher-[a-z0-9]+-/, '');
          asked.push(server);
          const forward = shutDownTo[server];
          if (forward !== undefined) throw new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: SPOOL_SERVER_SHUT_DOWN, message: `spool server ${server} is shut down`, details: [{ forwardedTo: forward }], nonRetryable: true }));
          const key = `${server}/${args[0].id}`;
          const answer = { accepted: held.has(key) ? 'already-held' : 'new', id: args[0].id };
          held.add(key);
          if (lost > 0) {
            lost -= 1;
            throw new Error('connection reset');
          }
          return answer;
        },
      }),
    },
  } as unknown as Client;
  return { client, asked };
}

const output: SpoolTask = { kind: 'output', id: 'r-1', device: 'lp01', sequence: true, frontend: false };

describe('a task given to a shut-down server', () => {
  test('goes on to the server each refusal names, until one takes it', async () => {
    const { client, asked } = dispatchers({ spool1: 'spool2', spool2: 'spool3' });
    expect(await submitFollowingShutdowns(client, 'prd', 'spool1', output)).toEqual({ answer: { accepted: 'new', id: 'r-1' }, server: 'spool3', passedBy: ['spool1', 'spool2'] });
    expect(asked).toEqual(['spool1', 'spool2', 'spool3']);
  });

  test('is never given again to a server it passed by: servers that name each other end in the refusal', async () => {
    const { client, asked } = dispatchers({ spool1: 'spool2', spool2: 'spool1' });
    const refusal = await submitFollowingShutdowns(client, 'prd', 'spool1', output).then(() => undefined, (err: unknown) => err);
    expect(forwardOfShutDownRefusal(refusal)).toBe('spool1');
    expect(asked).toEqual(['spool1', 'spool2']);
  });

  test("a server's own management task does not follow; a global one does", async () => {
    const { client, asked } = dispatchers({ spool1: 'spool2' });
    const demand = await submitFollowingShutdowns(client, 'prd', 'spool1', { kind: 'management', id: 'd-1', task: 'host-spool-demand' }).then(() => undefined, (err: unknown) => err);
    expect(forwardOfShutDownRefusal(demand)).toBe('spool2');
    expect(asked).toEqual(['spool1']);
    expect(await submitFollowingShutdowns(client, 'prd', 'spool1', { kind: 'management', id: 's-1', task: 'scan-lost-requests' })).toMatchObject({ server: 'spool2', passedBy: ['spool1'] });
  });

  test('a bad address is refused before anything is sent', async () => {
    const { client, asked } = dispatchers({});
    await expect(submitFollowingShutdowns(client, 'prd-eu', 'spool1', output)).rejects.toThrow(InvalidInputError);
    expect(asked).toEqual([]);
  });
});

describe('a task given again after a failure', () => {
  test('goes on from the server its route had reached, not from the first, which may be back in service by then', async () => {
    const shutDown: Record<string, string> = { spool1: 'spool2' };
    // spool2 takes the task, but its answer is lost on the way back.
    const { client, asked } = dispatchers(shutDown, 1);
    const route = givingRouteFrom('spool1');
    await expect(submitFollowingShutdowns(client, 'prd', 'spool1', output, { route })).rejects.toThrow('connection reset');
    expect(route).toEqual({ to: 'spool2', passedBy: ['spool1'] });
    delete shutDown.spool1; // spool1 back in service: given there again, the task would be taken twice
    expect(await submitFollowingShutdowns(client, 'prd', 'spool1', output, { route })).toEqual({ answer: { accepted: 'already-held', id: 'r-1' }, server: 'spool2', passedBy: ['spool1'] });
    expect(asked).toEqual(['spool1', 'spool2', 'spool2']);
  });
});
