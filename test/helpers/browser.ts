/**
 * The browser every browser test shares: Debian's headless Chromium (`apt-get install chromium`),
 * driven by playwright-core, which brings no browser of its own. `SPOOLFLOW_CHROMIUM` points at
 * another Chromium binary.
 *
 * In a test file:
 *
 *     const browserTest = requireBrowser();
 *     const browser = openBrowser();
 *     browserTest('…', async () => {
 *       await browser.page.goto(url);
 *       await screenshot(browser.page, 'form-filled');
 *     });
 *
 * A missing browser fails the file's tests in CI (`CI` set), saying how to install it: a browser
 * test is never skipped there. Elsewhere its tests are skipped with a message saying the same.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where the screenshots go: `<repo>/test-output/screenshots/<test name>-<step>.png` (git-ignored). */
export const SCREENSHOT_DIR = path.join(__dirname, '..', '..', 'test-output', 'screenshots');

/** How long one browser action (a click, a fill, waiting for text) may take before the test fails. */
const ACTION_TIMEOUT_MS = 15_000;

/** The Chromium binary: `SPOOLFLOW_CHROMIUM`, else Debian's package. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPOOLFLOW_CHROMIUM || '/usr/bin/chromium';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CI as CI services set it (`CI=true`, `CI=1`); `CI=false` or `CI=0` is not CI. */
function inCi(env: NodeJS.ProcessEnv): boolean {
  const ci = (env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}

/** Whether the browser tests run, fail (CI without the browser) or are skipped (elsewhere without it), and why. */
export type BrowserVerdict = { kind: 'run'; chromium: string } | { kind: 'fail' | 'skip'; message: string };

export function browserVerdict(env: NodeJS.ProcessEnv = process.env, executable: (file: string) => boolean = isExecutable): BrowserVerdict {
  const chromium = chromiumPath(env);
  if (executable(chromium)) return { kind: 'run', chromium };
  const missing =
    `no Chromium to run the browser tests: ${chromium} (${env.SPOOLFLOW_CHROMIUM ? 'SPOOLFLOW_CHROMIUM' : 'the default'}) is missing or not executable. ` +
    "Install Debian's package (as root: apt-get install chromium; .ci/run does this), or set SPOOLFLOW_CHROMIUM to a Chromium binary.";
  return inCi(env) ? { kind: 'fail', message: `${missing} (CI is set: browser tests are never skipped in CI)` } : { kind: 'skip', message: `browser tests skipped: ${missing}` };
}

type TestFn = typeof test;

/**
 * `test` when the browser is there. Without it: in CI, a `test` whose tests fail with the install
 * instructions (never a skip); elsewhere `test.skip`, with the instructions printed once.
 */
export function requireBrowser(): TestFn {
  const verdict = browserVerdict();
  switch (verdict.kind) {
    case 'run':
      return test;
    case 'fail':
      return ((name: string) =>
        test(name, () => {
          throw new Error(verdict.message);
        })) as TestFn;
    case 'skip':
      process.stderr.write(`${verdict.message}\n`);
      return test.skip;
  }
}

export interface OpenBrowser {
  readonly browser: Browser;
  /** A fresh page (in its own context: no cookies or storage from other tests) for the running test. */
  readonly page: Page;
}

/**
 * Call at the top of a test file: launches headless Chromium before the file's tests (when it is
 * there, see {@link requireBrowser}), gives each test a page of its own, closes everything after.
 */
export function openBrowser(): OpenBrowser {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    const verdict = browserVerdict();
    if (verdict.kind !== 'run') return;
    // playwright-core passes --no-sandbox unless asked for the sandbox (chromiumSandbox), so this
    // runs as root in CI too.
    browser = await chromium.launch({ executablePath: verdict.chromium, headless: true });
  });
  beforeEach(async () => {
    if (!browser) return;
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });

  const launched = (): Browser => {
    if (!browser) throw new Error('the browser is launched in beforeAll: use it inside a test, and guard the test with requireBrowser()');
    return browser;
  };
  return {
    get browser() {
      return launched();
    },
    get page() {
      launched();
      if (!page) throw new Error('the page is opened in beforeEach: use it inside a test');
      return page;
    },
  };
}

/** A file name from a test's name: letters, digits, dots and dashes only. */
function fileNameOf(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120);
}

/** Saves the whole page as `test-output/screenshots/<running test's name>-<step>.png`; returns the path. */
export async function screenshot(page: Page, step: string): Promise<string> {
  const testName = expect.getState().currentTestName ?? 'outside-a-test';
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${fileNameOf(testName)}-${fileNameOf(step)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
