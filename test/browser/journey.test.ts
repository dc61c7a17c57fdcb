/**
 * The whole sign-up journey in a real headless Chromium: register → sign in → dashboard →
 * an XSS attempt through `?message=` → sign out → the dashboard is closed again. Along the
 * way: no dialog ever opens, our own pages need nothing the Content-Security-Policy blocks,
 * and the session cookie is out of reach of page scripts.
 *
 * The steps share one browser and build on each other; after a failed step the later ones
 * are skipped (naming the step that broke) rather than timing out one by one.
 *
 * Screenshots of the register and dashboard pages land in $SCREENSHOT_DIR (or a fresh temp
 * dir, named in the test output) for a human to look at.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkipReason, launchBrowser, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const skip = browserSkipReason();
const PASSWORD = 'quartz lantern meadow 4817 violet';
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

function screenshotDir(): string {
  const dir = process.env.SCREENSHOT_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return mkdtempSync(path.join(tmpdir(), 'gatehouse-screenshots-'));
}

function pathOf(href: string): string {
  const u = new URL(href);
  return u.pathname + u.search;
}

/**
 * Clicks a form's submit button and waits for the POST's answer and the page it leads to.
 * A refused submission fails with its status and the message the page showed.
 */
async function submit(page: Page, form: string, expectedPath: string): Promise<void> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === form),
    page.click(`form[action="${form}"] button[type="submit"]`),
  ]);
  await page.waitForLoadState('load');
  if (pathOf(page.url()) !== expectedPath) {
    const shown = await page
      .locator('.error-message, .errors')
      .allTextContents()
      .catch(() => []);
    const origin = (await response.request().allHeaders()).origin;
    assert.fail(
      `POST ${form} answered ${response.status()} (request Origin: ${origin ?? 'none'}) and the browser is on ${pathOf(page.url())}, ` +
        `not ${expectedPath}; the page says: ${shown.join(' ').replace(/\s+/g, ' ').trim() || '(nothing)'}`,
    );
  }
}

describe('browser journey (headless Chromium)', { skip }, () => {
  let server: TestServer;
  let browser: TestBrowser;
  let shots: string;
  let brokenAt: string | undefined;
  const username = `walker_${Date.now().toString(36)}`;

  /** A journey step: skipped once an earlier step failed. */
  const step = (name: string, fn: (t: TestContext, page: Page) => Promise<void>) =>
    test(name, async (t) => {
      if (brokenAt) return t.skip(`an earlier step failed: ${brokenAt}`);
      try {
        await fn(t, browser.page);
      } catch (error) {
        brokenAt = name;
        throw error;
      }
    });

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    shots = screenshotDir();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const url = (p: string) => new URL(p, server.url).toString();
  /** Lets late events (image errors, deferred scripts, console reports) arrive. */
  const settle = async (page: Page) => {
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(150);
  };

  step('register: fill the form, submit, land on /login with the notice', async (t, page) => {
    const response = await page.goto(url('/register'));
    assert.equal(response?.status(), 200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await settle(page);
    await page.screenshot({ path: path.join(shots, 'register.png'), fullPage: true });
    t.diagnostic(`screenshots in ${shots}`);

    await page.fill('#username', username);
    await page.fill('#email', `${username}@example.test`);
    await page.fill('#password', PASSWORD);
    await page.waitForTimeout(300); // any as-you-type feedback
    await page.screenshot({ path: path.join(shots, 'register-filled.png'), fullPage: true });
    await submit(page, '/register', '/login');
    assert.equal((await page.locator('.notice').textContent())?.trim(), 'Your account was created. Please sign in.');
    await page.screenshot({ path: path.join(shots, 'login-notice.png'), fullPage: true });
  });

  step('sign in: lands on /dashboard showing the username', async (_t, page) => {
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    await submit(page, '/login', '/dashboard');
    assert.equal(await page.locator('[data-username]').textContent(), username);
    assert.equal(await page.locator('[data-role]').textContent(), 'user');
    await settle(page);
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
  });

  step('the session cookie is HttpOnly and SameSite=Lax, invisible to page scripts', async (_t, page) => {
    const cookies = await browser.context.cookies(server.url);
    const session = cookies.find((c) => c.name === 'gatehouse_session');
    assert.ok(session, `cookies: ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /session/);
  });

  step('?message= with markup is shown as text and runs nothing', async (_t, page) => {
    const dialogsBefore = browser.dialogs.length;
    const response = await page.goto(url(`/dashboard?message=${encodeURIComponent(XSS)}`));
    assert.equal(response?.status(), 200);
    assert.equal(pathOf(page.url()).split('?')[0], '/dashboard');
    await settle(page);
    assert.deepEqual(browser.dialogs.slice(dialogsBefore), [], 'a dialog opened: the message was executed');
    assert.equal(await page.locator('[data-message]').textContent(), XSS);
    assert.equal(await page.locator('[data-message] *').count(), 0, 'the message became elements');
    assert.equal(await page.locator('main img, main script').count(), 0);
    await page.screenshot({ path: path.join(shots, 'dashboard-message.png'), fullPage: true });
    // Escaping, not the CSP, stopped it: the browser never even had something to block.
    assert.deepEqual(browser.cspViolations(), []);
  });

  step('our own pages need nothing the CSP blocks, and log no errors', async (t, page) => {
    for (const p of ['/', '/dashboard', '/profile']) {
      const response = await page.goto(url(p));
      assert.equal(response?.status(), 200, p);
      await settle(page);
    }
    assert.deepEqual(browser.cspViolations(), [], 'Content-Security-Policy violations on our pages');
    assert.deepEqual(browser.pageErrors, [], 'uncaught script errors');
    // The browser's own /favicon.ico probe is not a page resource; a 404 there is cosmetic.
    const isFavicon = (m: { source: string }) => m.source !== '' && new URL(m.source).pathname === '/favicon.ico';
    const errors = browser.console.filter((m) => m.type === 'error');
    if (errors.some(isFavicon)) t.diagnostic('GET /favicon.ico fails (the browser logs a 404 on each first visit)');
    assert.deepEqual(
      errors.filter((m) => !isFavicon(m)),
      [],
      `console errors on our pages; failed responses: ${JSON.stringify(browser.failedResponses)}`,
    );
    assert.deepEqual(browser.dialogs, []);
  });

  step('sign out with the button, then /dashboard redirects to /login', async (_t, page) => {
    await page.goto(url('/dashboard'));
    await submit(page, '/logout', '/');
    assert.equal((await page.locator('.notice').textContent())?.trim(), 'You have been signed out.');
    const cookies = await browser.context.cookies(server.url);
    assert.equal(
      cookies.find((c) => c.name === 'gatehouse_session'),
      undefined,
      'session cookie left behind after sign-out',
    );

    // Back to the signed-in dashboard's history entry: pages are `Cache-Control: no-store`,
    // so the browser asks the server again instead of showing the old page.
    await page.goBack();
    await settle(page);
    assert.equal(await page.locator('[data-username]').count(), 0, `the back button showed the dashboard again (${pathOf(page.url())})`);

    await page.goto(url('/dashboard'));
    assert.equal(pathOf(page.url()), '/login?next=%2Fdashboard');
    assert.equal(await page.locator('[data-username]').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  });
});
