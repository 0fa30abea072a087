/**
 * `spoolflow watch <rollout>`: how many groups are done, running, halted and waiting, and which;
 * the procedure to watch for each group at work; what to type; the exit code.
 */
import { renderRolloutWatch, rolloutExitCode, rolloutWatchEvent } from '../../cli/watch-rollout-view';
import { midRolloutStatus } from '../helpers/rollout-status';

const NOW = new Date('2026-12-05T22:12:30.000Z');

test('the screen says how many groups are in each state and which, with each running or halted group\'s procedure to watch', () => {
  const status = midRolloutStatus();
  const screen = renderRolloutWatch(rolloutWatchEvent('rollout-1', status), status, NOW);
  expect(screen).toContain('1 done, 1 running, 1 halted, 1 waiting, 0 failed, 1 not started');
  expect(screen).toContain('▶ london (site site-london, 2 min 30 s)  · spoolflow watch spoc-group-london');
  expect(screen).toContain('! paris (site site-paris, 2 min 30 s): Stop the SPOC: the service did not stop within 60 s  · spoolflow watch spoc-group-paris');
  expect(screen).toContain('Done: prague');
  expect(screen).toContain('Waiting: berlin');
  expect(screen).toContain('oslo: the failure budget is spent: 1 group(s) halted or failed (failureBudget 1)');
  expect(screen).toContain('Holding: at the limits: 2 group(s) at a time, 1 per site');
  expect(screen).toContain('spoolflow rollout pause rollout-1 --operator <name> --reason <text>');
});

test('the JSON event carries the counts, the groups by state and the commands to type', () => {
  expect(rolloutWatchEvent('rollout-1', midRolloutStatus({ status: 'paused', accepts: ['operator.resume'] }))).toMatchObject({
    procedure: 'fleet-rollout',
    status: 'paused',
    counts: { done: 1, running: 1, halted: 1, waiting: 1 },
    groups: { halted: ['paris'], waiting: ['berlin'] },
    commands: ['spoolflow rollout resume rollout-1 --operator <name> --reason <text>'],
  });
});

test('exit 0 only when every group was done; 1 when a group failed or was not started, or the run failed', () => {
  const allDone = midRolloutStatus({ status: 'done', counts: { done: 5, running: 0, halted: 0, waiting: 0, failed: 0, 'not-started': 0 } });
  expect(rolloutExitCode(rolloutWatchEvent('r', allDone))).toBe(0);
  expect(rolloutExitCode(rolloutWatchEvent('r', allDone, true))).toBe(1);
  expect(rolloutExitCode(rolloutWatchEvent('r', midRolloutStatus({ status: 'done' })))).toBe(1);
});
