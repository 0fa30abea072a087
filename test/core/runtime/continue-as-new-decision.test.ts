/**
 * A long procedure hands over to a fresh run when the server suggests it or when its history is
 * past the limit, and not before.
 */
import { shouldContinueAsNew } from '../../../workflows/runtime/continue-as-new';

test('a history within the limit goes on in the same run', () => {
  expect(shouldContinueAsNew({ continueAsNewSuggested: false, historyLength: 10_000 }, 10_000)).toBe(false);
});

test('a history past the limit hands over', () => {
  expect(shouldContinueAsNew({ continueAsNewSuggested: false, historyLength: 10_001 }, 10_000)).toBe(true);
});

test('the server suggesting it hands over however short the history', () => {
  expect(shouldContinueAsNew({ continueAsNewSuggested: true, historyLength: 12 }, 10_000)).toBe(true);
});
