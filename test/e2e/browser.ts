/**
 * Chromium for the console's end-to-end tests: Debian's build driven by playwright-core, a fresh
 * context (cookies, storage) per test, and what the page reported that a test must not ignore.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { TEST_DB } from '../support/backend.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser suites cannot run here, or null when they can. */
export const chromiumMissing: string | null = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} is not installed (apt-get install chromium): the console's browser tests are skipped`;

const SCREENSHOTS = fileURLToPath(new URL('../../.ci/out/screenshots/', import.meta.url));

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and Content-Security-Policy refusals the page reported. */
  problems: string[];
}

/** A page in a context of its own: no cookie or storage is shared with another test. */
export async function openPage(browser: Browser, base: string): Promise<TestPage> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  // The console answers in milliseconds here: a wait that takes longer is a failure, reported soon.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  return { context, page, problems };
}

/** Saves `.ci/out/screenshots/<name>-<db>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-${TEST_DB}.png`) });
}

/**
 * Runs a test in a page of its own; the page must report no uncaught error and no CSP refusal. On a
 * failure, what the page showed is saved for whoever reads the CI output. `sessionCookie`
 * (`steno_session=…`, from a sign-in over the API) starts the page signed in.
 */
export async function inFreshPage(
  browser: Browser,
  base: string,
  test: (page: Page) => Promise<void>,
  sessionCookie?: string,
): Promise<void> {
  const { context, page, problems } = await openPage(browser, base);
  if (sessionCookie !== undefined) {
    const at = sessionCookie.indexOf('=');
    await context.addCookies([
      {
        name: sessionCookie.slice(0, at),
        value: sessionCookie.slice(at + 1),
        url: base,
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
  }
  try {
    await test(page);
    expect(problems).toEqual([]);
  } catch (error) {
    await screenshot(page, `failed-${expect.getState().currentTestName?.replace(/\W+/g, '-').slice(-60)}`);
    throw error;
  } finally {
    await context.close();
  }
}
