/**
 * How a chaos run waits for its systems to settle before it judges them: as long as work keeps
 * getting done (a backlog a loaded machine works off slowly), not past a quiet spell without any
 * (work that stopped is what the invariants must see).
 */
import { waitWhileProgressing } from '../../chaos/chaos-system';

test('a backlog that keeps moving is waited for past the quiet spell; one that stops is given up on after it', async () => {
  let printed = 0;
  const moving = setInterval(() => (printed += 1), 300);
  const started = Date.now();
  // Done at 8 prints (some 2.4 s), longer than the 1.2 s quiet spell: waited for, since each print comes sooner.
  await expect(waitWhileProgressing(() => printed >= 8, () => printed, 1_200, 10_000)).resolves.toBe(true);
  clearInterval(moving);
  expect(Date.now() - started).toBeGreaterThan(1_200);

  const stoppedAt = printed;
  await expect(waitWhileProgressing(() => printed >= stoppedAt + 1, () => printed, 1_200, 10_000)).resolves.toBe(false);
});

test('the cap ends the wait even while work still moves', async () => {
  let printed = 0;
  const moving = setInterval(() => (printed += 1), 200);
  try {
    await expect(waitWhileProgressing(() => false, () => printed, 1_000, 1_500)).resolves.toBe(false);
  } finally {
    clearInterval(moving);
  }
});
