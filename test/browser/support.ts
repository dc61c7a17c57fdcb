/**
 * What the browser suites share: accounts, form submission that waits for the server's
 * answer, and locators by role and label (the pages are found the way a person finds them,
 * not by CSS structure). Field names follow the contract: `username`, `email`, `password`,
 * `current_password`, `new_password`, `csrf_token`; markers `data-username`, `data-role`,
 * `data-user-id`.
 */
import assert from 'node:assert/strict';
import type { Locator, Page, Response } from 'playwright-core';

export interface Account {
  username: string;
  email: string;
  password: string;
}

/** A passphrase the policy accepts (length, zxcvbn score, not common, no username in it). */
export const GOOD_PASSWORD = 'quartz lantern meadow 4817 violet';

export function account(username: string, password = GOOD_PASSWORD): Account {
  return { username, email: `${username}@example.test`, password };
}

/** Creates an account through the JSON API (fast set-up for pages that only need someone signed in); its user id. */
export async function createAccount(origin: string, user: Account): Promise<number> {
  const csrf = await fetch(new URL('/api/v1/csrf', origin));
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(new URL('/api/v1/register', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie },
    body: JSON.stringify(user),
  });
  const text = await response.text();
  assert.ok(response.status < 300, `creating ${user.username} answered ${response.status}: ${text}`);
  // The register answer names no id (it must read the same for a taken address): the
  // profile page marks it.
  return userIdOf(origin, user);
}

/** The account's numeric id, read from its own /profile (`data-user-id`) after an API sign-in. */
async function userIdOf(origin: string, user: Account): Promise<number> {
  const csrf = await fetch(new URL('/api/v1/csrf', origin));
  const preSession = csrf.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const login = await fetch(new URL('/api/v1/login', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken, cookie: preSession },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  assert.equal(login.status, 200, `signing in ${user.username}`);
  const session = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const profile = await (await fetch(new URL('/profile', origin), { headers: { cookie: session } })).text();
  const id = /data-user-id="(\d+)"/.exec(profile)?.[1];
  assert.ok(id, `no data-user-id on the profile of ${user.username}`);
  return Number(id);
}

export function pathOf(href: string): string {
  const u = new URL(href);
  return u.pathname + u.search;
}

/**
 * Waits until the page, its stylesheet and deferred scripts are loaded (the `load` event comes
 * after deferred scripts ran), and late events (console lines, CSP reports) have arrived.
 * Not `networkidle`: its 500 ms of quiet per page tripled the accessibility suite's time.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  await page.waitForTimeout(50);
}

/**
 * Performs `action` (a click on a link) and waits for the new document's `load` event. Not
 * `waitForLoadState`: right after the click that answers at once for the old page, which is
 * still loaded, and the navigation then destroys whatever the test reads next.
 */
export async function navigateWith(page: Page, action: () => Promise<unknown>): Promise<void> {
  await Promise.all([page.waitForEvent('load'), action()]);
  await settle(page);
}

/** Performs `action` (a click, an Enter) and waits for the form POST's answer and the page it ends on (after any redirect). */
export async function submitWith(page: Page, action: () => Promise<unknown>): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().resourceType() === 'document'),
    page.waitForEvent('load'),
    action(),
  ]);
  await settle(page);
  return response;
}

/** A form field by its visible label (exact, so "Password" never matches a "Show password" button). */
export function field(page: Page, label: string): Locator {
  return page.getByRole('main').getByLabel(label, { exact: true });
}

/** Every message the page shows: error summary, alerts, notices (for assertion messages). */
export async function shownMessages(page: Page): Promise<string> {
  const texts = await page.locator('[role="alert"], [role="status"], .errors, .notice, .error-message').allTextContents();
  return texts.join(' | ').replace(/\s+/g, ' ').trim() || '(nothing)';
}

/** Asserts the browser is on `expected` (path and query) after a step, naming what the page said otherwise. */
export async function assertOn(page: Page, expected: string | RegExp, step: string): Promise<void> {
  const at = pathOf(page.url());
  const ok = typeof expected === 'string' ? at === expected : expected.test(at);
  if (!ok) assert.fail(`${step}: the browser is on ${at}, not ${String(expected)}; the page says: ${await shownMessages(page)}`);
}

/** Signs in through the sign-in form, typing like a person, and asserts the dashboard opened. */
export async function signIn(page: Page, user: Pick<Account, 'username' | 'password'>): Promise<void> {
  await page.goto('/login?lang=en');
  await field(page, 'Username or email').fill(user.username);
  await field(page, 'Password').fill(user.password);
  await submitWith(page, () => field(page, 'Password').press('Enter'));
  await assertOn(page, '/dashboard', `signing in as ${user.username}`);
}

/** The element that has keyboard focus, described for assertions: tag, id, role, and text. */
export async function focused(page: Page): Promise<{ tag: string; id: string; name: string; text: string; role: string | null }> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      id: element?.id ?? '',
      name: element?.getAttribute('name') ?? '',
      text: (element?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      role: element?.getAttribute('role') ?? null,
    };
  });
}

/** Presses Tab until the element matching `predicate` has focus; fails after `limit` presses. */
export async function tabTo(page: Page, name: string, limit = 25): Promise<number> {
  for (let presses = 1; presses <= limit; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await focused(page)).name === name) return presses;
  }
  return assert.fail(`Tab never reached the "${name}" field in ${limit} presses (focus is on ${JSON.stringify(await focused(page))})`);
}

/** The CSRF token the page's main form carries. */
export async function csrfTokenOf(page: Page): Promise<string> {
  return page.locator('main form input[name="csrf_token"]').first().inputValue();
}
