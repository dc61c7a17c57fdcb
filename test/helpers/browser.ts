/**
 * A real headless Chromium for the browser tests, driven by playwright-core over the
 * system's /usr/bin/chromium (Debian package `chromium`; never `npx playwright install`).
 *
 * Two ways in: `launchBrowser()` (one persistent profile and page, for small single-page
 * checks such as the strength meter's), and `startBrowser()` + `openLook()` for the suites in
 * test/browser/: one browser per test file, one context per look (theme × size), each
 * context watched for breakage (`Watch`) and pages checked with axe-core
 * (`checkAccessibility`).
 *
 * When the browser is missing, `browserSkipReason()` gives one line to skip with; under
 * `REQUIRE_SERVICES=1` (what `.ci/run` sets) a missing browser is a failure instead, so CI
 * never passes by skipping.
 */
import { AssertionError } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type ConsoleMessage, type Dialog, type Page } from 'playwright-core';

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

/** One browser for a whole test file (each file starts its own; the runner runs two files at once). */
export async function startBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export type Theme = 'light' | 'dark';
export type Size = 'desktop' | 'phone';
export interface Look {
  theme: Theme;
  size: Size;
}

/** Every look a page is checked in: light and dark, desktop (1280×800) and phone (390×844, touch). */
export const LOOKS: readonly Look[] = [
  { theme: 'light', size: 'desktop' },
  { theme: 'dark', size: 'desktop' },
  { theme: 'light', size: 'phone' },
  { theme: 'dark', size: 'phone' },
];

const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
} as const;

/**
 * Collects everything that means a page is broken, across every page of one context:
 * console errors, uncaught page errors, dialogs, same-origin requests that failed or
 * answered ≥ 400 (other than the page document itself, whose status each test asserts), and
 * Content-Security-Policy violations.
 *
 * CSP violations are caught twice: Chromium's console error ("… violates the following
 * Content Security Policy directive …"), and a `securitypolicyviolation` listener installed
 * by `addInitScript`. That script is injected by the DevTools protocol
 * (Page.addScriptToEvaluateOnNewDocument) before any page script and is not subject to the
 * page's CSP, so the policy stays exactly what the server sent (no `bypassCSP`); the canary
 * in accessibility.test.ts proves the listener fires under the real policy.
 */
export class Watch {
  readonly problems: string[] = [];
  /** Moderate and minor findings worth a diagnostic line but not a failure. */
  readonly notes: string[] = [];
  /** Document URLs (the page itself) and their status: a 4xx page's own "Failed to load resource" line is expected. */
  readonly #documents = new Map<string, number>();
  readonly #origin: string;

  constructor(origin: string) {
    this.#origin = new URL(origin).origin;
  }

  #sameOrigin(url: string): boolean {
    try {
      return new URL(url).origin === this.#origin;
    } catch {
      return false;
    }
  }

  attach(page: Page): void {
    page.on('dialog', (dialog: Dialog) => {
      this.problems.push(`dialog ${dialog.type()} "${dialog.message()}" on ${page.url()}`);
      dialog.dismiss().catch(() => {});
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught error on ${page.url()}: ${String(error)}`));
    page.on('response', (response) => {
      const request = response.request();
      if (request.resourceType() === 'document' && request.frame() === page.mainFrame()) {
        this.#documents.set(response.url(), response.status());
      } else if (response.status() >= 400 && this.#sameOrigin(response.url())) {
        this.problems.push(`${request.method()} ${response.url()} answered ${response.status()} (a resource of ${page.url()})`);
      }
    });
    page.on('requestfailed', (request) => {
      if (!this.#sameOrigin(request.url())) return;
      const reason = request.failure()?.errorText ?? 'unknown';
      // The browser cancelled it (the page navigated on, e.g. mid-favicon): not the page's fault.
      // A request the CSP blocked fails with net::ERR_BLOCKED_BY_CSP and is counted.
      if (reason === 'net::ERR_ABORTED') this.notes.push(`${request.method()} ${request.url()} cancelled by a navigation`);
      else this.problems.push(`${request.method()} ${request.url()} failed: ${reason}`);
    });
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'warning') this.notes.push(`console warning: ${message.text()}`);
      if (message.type() !== 'error') return;
      const source = message.location().url;
      if (/^Failed to load resource/.test(message.text()) && (this.#documents.get(source) ?? 0) >= 400) return;
      this.problems.push(`console error on ${page.url()}: ${message.text()}${source ? ` (${source})` : ''}`);
    });
  }

  /** The `securitypolicyviolation` reports arrive here through a protocol binding. */
  recordCspViolation(report: { directive: string; blocked: string; source: string; line: number; documentURL: string }): void {
    this.problems.push(`CSP violation on ${report.documentURL}: ${report.directive} blocked ${report.blocked || '(inline)'} at ${report.source}:${report.line}`);
  }

  cspViolations(): string[] {
    return this.problems.filter((p) => p.startsWith('CSP violation') || /Content Security Policy/i.test(p));
  }

  /** Fails with every problem seen since the last call, then starts afresh. */
  assertClean(what: string): void {
    const seen = this.problems.splice(0);
    if (seen.length > 0) throw new AssertionError({ message: `${what}: the browser reported ${seen.length} problem(s):\n  ${seen.join('\n  ')}` });
  }
}

export interface LookContext {
  look: Look;
  context: BrowserContext;
  watch: Watch;
  /** `<theme>-<size>`, as used in test names and screenshot files. */
  name: string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh context (own cookies) in one look, every page in it watched from its first byte. */
export async function openLook(browser: Browser, origin: string, look: Look): Promise<LookContext> {
  const context = await browser.newContext({ ...SIZES[look.size], colorScheme: look.theme, locale: 'en-GB', baseURL: origin });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const watch = new Watch(origin);
  await context.exposeBinding('__gatehouseCspViolation', (_source, report) => watch.recordCspViolation(report));
  await context.addInitScript(() => {
    addEventListener('securitypolicyviolation', (event) => {
      const report = { directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber, documentURL: event.documentURI };
      (globalThis as unknown as { __gatehouseCspViolation(r: typeof report): void }).__gatehouseCspViolation(report);
    });
  });
  context.on('page', (page) => watch.attach(page));
  return {
    look,
    context,
    watch,
    name: `${look.theme}-${look.size}`,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0, 2.1 and 2.2, levels A and AA (the issue's bar: WCAG 2.2 AA). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export interface AccessibilityReport {
  label: string;
  /** Moderate and minor violations: reported, not failed. */
  lesser: string[];
  rulesPassed: number;
}

/**
 * Runs axe-core on the page as it is now, with the WCAG 2.0/2.1/2.2 A and AA rules; fails
 * (AssertionError naming each rule and element) on any serious or critical violation.
 *
 * axe's source goes in through `page.evaluate`, i.e. the DevTools protocol's
 * Runtime.evaluate, which the page's CSP does not govern: no policy is relaxed, and the
 * page's own `securitypolicyviolation` listener stays silent (the canary test checks both).
 */
export async function checkAccessibility(page: Page, label: string): Promise<AccessibilityReport> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(
    async (tags) => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: unknown[]; passes: unknown[] }> } }).axe;
      const outcome = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return { violations: outcome.violations, passes: outcome.passes.length };
    },
    AXE_TAGS,
  );
  const violations = result.violations as AxeViolation[];
  const describe = (v: AxeViolation) =>
    `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => `${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`).join('; ')}`;
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length > 0) {
    throw new AssertionError({ message: `${label}: ${blocking.length} serious/critical accessibility violation(s) at ${page.url()}:\n  ${blocking.map(describe).join('\n  ')}` });
  }
  return { label, lesser: violations.filter((v) => !blocking.includes(v)).map(describe), rulesPassed: result.passes };
}
