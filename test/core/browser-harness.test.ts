/**
 * The browser tests' rule (test/helpers/browser.ts): with Chromium they run; without it they fail
 * in CI, saying how to install it, and are skipped elsewhere with the same words.
 */
import { browserVerdict } from '../helpers/browser';

const present = () => true;
const absent = () => false;

test("the browser tests run on Debian's chromium, or on the one SPOOLFLOW_CHROMIUM names", () => {
  expect(browserVerdict({}, present)).toEqual({ kind: 'run', chromium: '/usr/bin/chromium' });
  expect(browserVerdict({ SPOOLFLOW_CHROMIUM: '/opt/chromium/chrome', CI: 'true' }, present)).toEqual({ kind: 'run', chromium: '/opt/chromium/chrome' });
});

test('a missing browser fails the browser tests in CI, naming the binary and how to install it', () => {
  for (const CI of ['true', '1', 'yes']) {
    const verdict = browserVerdict({ CI }, absent);
    expect(verdict.kind).toBe('fail');
    if (verdict.kind === 'run') continue;
    expect(verdict.message).toContain('/usr/bin/chromium');
    expect(verdict.message).toContain('apt-get install chromium');
    expect(verdict.message).toContain('never skipped in CI');
  }
  const named = browserVerdict({ CI: 'true', SPOOLFLOW_CHROMIUM: '/opt/nothing/chrome' }, absent);
  expect(named).toMatchObject({ kind: 'fail', message: expect.stringContaining('/opt/nothing/chrome (SPOOLFLOW_CHROMIUM)') as unknown });
});

test('outside CI a missing browser skips the browser tests with the install line', () => {
  for (const env of [{}, { CI: '' }, { CI: 'false' }, { CI: '0' }]) {
    const verdict = browserVerdict(env, absent);
    expect(verdict).toMatchObject({ kind: 'skip', message: expect.stringContaining('apt-get install chromium') as unknown });
  }
});
