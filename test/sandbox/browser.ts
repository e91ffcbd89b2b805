import { mkdirSync } from 'node:fs';
import { after, before, type TestContext } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';

/** Debian's chromium package; .ci/run installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots of the browser tests (git-ignored), for a person to look at. */
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

/** Headless Chromium; the caller closes it (see launchBrowser). */
export function startBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Headless Chromium, closed after the test. */
export async function launchBrowser(t: TestContext): Promise<Browser> {
  const browser = await startBrowser();
  t.after(() => browser.close());
  return browser;
}

/** A page of the given browser at a desktop size, with page errors collected. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]');
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = new URL(name, ARTIFACTS).pathname;
  await page.screenshot({ path });
  return path;
}

/** How long a browser test waits for what a step should show (a bound on a hang, for a busy machine). */
export const WAIT = { timeout: 15_000 };

/** What a file's visit has: the sandbox, the page open on it, and the page's script errors. */
export interface Visit {
  sandbox: Sandbox;
  page: Page;
  errors: string[];
}

/**
 * One sandbox (logs off, any free port) and one page of it for the whole file: the steps build on
 * each other like a person's visit. `ready` is given them before the first test; both are closed
 * after the last.
 */
export function visitForFile(
  ready: (visit: { sandbox: Sandbox; page: Page; errors: string[] }) => void,
): void {
  let sandbox: Sandbox | undefined;
  let browser: Browser | undefined;
  before(async () => {
    sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
    browser = await startBrowser();
    ready({ sandbox, ...(await openPage(browser, sandbox.url)) });
  });
  after(async () => {
    await browser?.close();
    await sandbox?.close();
  });
}
