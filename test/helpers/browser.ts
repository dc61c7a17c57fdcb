/**
 * A real headless Chromium for the browser journey tests, driven by playwright-core over
 * the system's /usr/bin/chromium (Debian package `chromium`; never `npx playwright install`).
 * Each launch gets a fresh temporary profile, removed again by `close()`.
 *
 * When the browser is missing, `browserSkipReason()` gives one line to skip with; under
 * `REQUIRE_SERVICES=1` (what `.ci/run` sets) a missing browser is a failure instead, so CI
 * never passes by skipping.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type ConsoleMessage, type Dialog, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** One line explaining why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const missing = `${CHROMIUM_PATH} not found`;
  const fix = 'install it with `apt-get install -y chromium` (.ci/run does)';
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 and ${missing}: ${fix}`);
  return `${missing}: browser tests skipped; ${fix}`;
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Every `alert`/`confirm`/`prompt` the pages opened (each is dismissed at once). */
  dialogs: { type: string; message: string; url: string }[];
  /** Every console message, with the URL of the page that logged it. */
  console: { type: string; text: string; url: string; source: string }[];
  /** Uncaught exceptions in page scripts. */
  pageErrors: string[];
  /** Responses with a status of 400 or more (explains "Failed to load resource" console lines). */
  failedResponses: { status: number; method: string; url: string }[];
  /** Console messages that report a Content-Security-Policy violation. */
  cspViolations(): TestBrowser['console'];
  close(): Promise<void>;
}

export async function launchBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1024, height: 768 },
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);

  const dialogs: TestBrowser['dialogs'] = [];
  const consoleMessages: TestBrowser['console'] = [];
  const pageErrors: string[] = [];
  const failedResponses: TestBrowser['failedResponses'] = [];
  const watch = (page: Page) => {
    page.on('dialog', (dialog: Dialog) => {
      dialogs.push({ type: dialog.type(), message: dialog.message(), url: page.url() });
      dialog.dismiss().catch(() => {});
    });
    page.on('console', (message: ConsoleMessage) => {
      consoleMessages.push({ type: message.type(), text: message.text(), url: page.url(), source: message.location().url });
    });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('response', (response) => {
      if (response.status() >= 400) failedResponses.push({ status: response.status(), method: response.request().method(), url: response.url() });
    });
  };
  // A persistent context opens with one blank page, which the 'page' event never reports.
  const initial = context.pages()[0];
  if (initial) watch(initial);
  context.on('page', watch);
  const page = initial ?? (await context.newPage());

  return {
    context,
    page,
    dialogs,
    console: consoleMessages,
    pageErrors,
    failedResponses,
    cspViolations: () => consoleMessages.filter((m) => /Content[- ]Security[- ]Policy/i.test(m.text)),
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
