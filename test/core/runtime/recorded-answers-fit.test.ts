/**
 * Every answer in the recorded histories fits what its action declares it answers. The histories
 * were recorded by agents and central workers of earlier releases, session by session; the
 * workflow now halts a step whose answer does not fit (answer-check.ts), so this is what says an
 * upgrade of the central worker ahead of the agents halts no step of theirs, and that a schema made
 * stricter than what agents answer is caught here, not on an estate.
 */
import { ACTION_REGISTRY, activityNameOf, answerMisfit, type ActionWord } from '../../../machines/actions';
import { loadRecordedHistories } from '../../helpers/recorded-histories';

const ACTION_BY_ACTIVITY = new Map((Object.keys(ACTION_REGISTRY) as ActionWord[]).map((word) => [activityNameOf(word) as string, word]));

function decode(data: Uint8Array | null | undefined): unknown {
  return data && data.length > 0 ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
}

interface CheckedAnswer {
  file: string;
  action: ActionWord;
  misfit: string | undefined;
}

/** The histories recorded of an agent that answered what does not fit, on purpose (test/core/integration/answer-check.test.ts). */
const MISFIT_ON_PURPOSE = /--answer-misfit-/;

function recordedAnswers(): CheckedAnswer[] {
  return loadRecordedHistories()
    .filter(({ file }) => !MISFIT_ON_PURPOSE.test(file))
    .flatMap(({ file, history }) => {
    const events = history.events ?? [];
    const scheduled = new Map(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? ''] as const] : [])));
    return events.flatMap((e) => {
      const done = e.activityTaskCompletedEventAttributes;
      const action = done ? ACTION_BY_ACTIVITY.get(scheduled.get(String(done.scheduledEventId)) ?? '') : undefined;
      if (!done || !action) return [];
      return [{ file, action, misfit: answerMisfit(action, decode(done.result?.payloads?.[0]?.data)) }];
    });
  });
}

test('every answer an action gave in the recorded histories fits what the action answers', () => {
  const answers = recordedAnswers();
  expect(answers.filter((a) => a.misfit !== undefined)).toEqual([]);
  // Not vacuous: the histories hold answers of each system's actions, host and central.
  const actions = new Set(answers.map((a) => a.action));
  for (const action of ['stop-service', 'start-service', 'delete-cache', 'await-spoc-online', 'restart-os', 'fence-member', 'activate-member', 'submit-order', 'stop-scheduler', 'deliver-to-spooler-controller'] as ActionWord[]) {
    expect(actions).toContain(action);
  }
  expect(answers.length).toBeGreaterThan(500);
});
