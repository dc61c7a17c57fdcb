/**
 * What a person does with Gatehouse, in a real headless Chromium, with real clicks and
 * typing (the keyboard where a keyboard user would use it: Tab to the fields, Enter to
 * submit): register then sign in, a wrong password, being throttled, changing the password,
 * signing out, a stale tab, switching the language, forgetting the password (the link read
 * from the outbox).
 *
 * Every journey runs in a fresh context and fails on any console error, uncaught page error,
 * failed same-origin request or Content-Security-Policy violation (test/helpers/browser.ts
 * `Watch`; v5.0.0-3.4.3). Expected sentences come from the message catalog, so the test
 * follows wording changes and checks the page says what the catalog says.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { assessPassword } from '../../src/domain/passwords/policy.ts';
import { formatMessage } from '../../src/messages/catalog.ts';
import { browserSkipReason, LOOKS, type LookContext, openLook, startBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import {
  account,
  assertOn,
  createAccount,
  csrfTokenOf,
  field,
  focused,
  navigateWith,
  pathOf,
  settle,
  shownMessages,
  signIn,
  submitWith,
  tabTo,
} from './support.ts';

const skip = browserSkipReason();
const DESKTOP_LIGHT = LOOKS[0]!;
const TIMEOUT = { timeout: 90_000 };
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

/** The focused element after a refused submission must be the error summary, and it must say `message`. */
async function assertSummaryFocused(page: Page, message: string | RegExp): Promise<void> {
  const active = await focused(page);
  assert.notEqual(active.tag, 'body', `focus stayed on the page, not the error summary; the page says: ${await shownMessages(page)}`);
  assert.ok(!['input', 'button'].includes(active.tag), `focus is on a ${active.tag} (${active.name}), not the error summary`);
  if (typeof message === 'string') assert.ok(active.text.includes(message), `the focused summary says "${active.text}", not "${message}"`);
  else assert.match(active.text, message);
}

/** Each named field is marked invalid and described by its own non-empty error text. */
async function assertFieldErrors(page: Page, names: string[]): Promise<void> {
  for (const name of names) {
    const described = await page.locator(`main [name="${name}"]`).evaluate((input) => ({
      invalid: input.getAttribute('aria-invalid'),
      descriptions: (input.getAttribute('aria-describedby') ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => ({ id, text: document.getElementById(id)?.textContent?.trim() ?? '', isError: /error|invalid/i.test(`${id} ${document.getElementById(id)?.className}`) })),
    }));
    assert.equal(described.invalid, 'true', `${name}: aria-invalid is ${described.invalid}`);
    const errors = described.descriptions.filter((d) => d.isError && d.text !== '');
    assert.ok(errors.length > 0, `${name}: no error text next to the field (aria-describedby: ${JSON.stringify(described.descriptions)})`);
  }
}

/** The summary's links point at the fields named (by the target's `name`). */
async function assertSummaryLinks(page: Page, names: string[]): Promise<void> {
  const linked = await page.locator(':focus').getByRole('link').evaluateAll((links) =>
    links.map((link) => {
      const hash = new URL((link as HTMLAnchorElement).href).hash.slice(1);
      return document.getElementById(decodeURIComponent(hash))?.getAttribute('name') ?? `#${hash} (no such element)`;
    }),
  );
  for (const name of names) assert.ok(linked.includes(name), `the error summary links to ${JSON.stringify(linked)}, not to the ${name} field`);
}

describe('journeys (headless Chromium)', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let serial = 0;
  const nextUser = (prefix: string) => account(`${prefix}_${Date.now().toString(36)}${(serial += 1)}`);

  before(async () => {
    [server, browser] = await Promise.all([startTestServer(), startBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Runs `fn` in fresh contexts (desktop, light); fails on anything any of them reported. */
  async function inContexts(origin: string, count: number, fn: (...looks: LookContext[]) => Promise<void>): Promise<void> {
    const looks = await Promise.all(Array.from({ length: count }, () => openLook(browser, origin, DESKTOP_LIGHT)));
    try {
      await fn(...looks);
      looks.forEach((look, i) => look.watch.assertClean(`context ${i + 1}`));
    } finally {
      await Promise.all(looks.map((look) => look.close()));
    }
  }

  test('register, then sign in, keyboard only: every problem at once next to its field, focus on the summary, typed values kept', TIMEOUT, async () => {
    const user = nextUser('walker');
    await inContexts(server.url, 1, async (look) => {
      const page = await look.newPage();
      await page.goto('/register');
      await settle(page);

      // An empty form: every problem reported at once, each next to its field, focus on the summary.
      await tabTo(page, 'username');
      let response = await submitWith(page, () => page.keyboard.press('Enter'));
      assert.equal(response.status(), 400);
      await assertSummaryFocused(page, /\S/);
      await assertSummaryLinks(page, ['username', 'email', 'password']);
      await assertFieldErrors(page, ['username', 'email', 'password']);

      // A password the policy refuses: name and address are kept, the password is not.
      await field(page, 'Username').fill(user.username);
      await field(page, 'Email').fill(user.email);
      await field(page, 'Password').fill('tooshort');
      response = await submitWith(page, () => field(page, 'Password').press('Enter'));
      assert.equal(response.status(), 400);
      await assertFieldErrors(page, ['password']);
      assert.equal(await field(page, 'Username').inputValue(), user.username);
      assert.equal(await field(page, 'Email').inputValue(), user.email);
      assert.equal(await field(page, 'Password').inputValue(), '', 'the refused password was sent back to the browser');

      // Usernames are not auto-capitalised or spell-checked on phones.
      assert.equal(await field(page, 'Username').getAttribute('autocapitalize'), 'none');
      assert.equal(await field(page, 'Username').getAttribute('spellcheck'), 'false');

      // Keyboard from the summary: Tab order username → email → password.
      await field(page, 'Username').focus();
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).name, 'email', 'Tab from Username does not go to Email');
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).name, 'password', 'Tab from Email does not go to Password');
      await page.keyboard.type(user.password);

      // Show/hide toggle: reveals and hides again, the value untouched (v5.0.0-6.2.6: type=password, reveal allowed).
      const toggle = page.getByRole('main').getByRole('button', { name: /show/i });
      assert.equal(await toggle.count(), 1, 'no "show password" button next to the password field');
      await toggle.click();
      assert.equal(await page.locator('main [name="password"]').getAttribute('type'), 'text');
      await page.getByRole('main').getByRole('button', { name: /hide/i }).or(toggle).first().click();
      assert.equal(await page.locator('main [name="password"]').getAttribute('type'), 'password');
      assert.equal(await field(page, 'Password').inputValue(), user.password);

      response = await submitWith(page, () => field(page, 'Password').press('Enter'));
      assert.equal(response.status(), 303);
      await assertOn(page, '/login', 'registering');
      assert.equal((await page.getByRole('status').textContent())?.trim(), formatMessage('flash.registered'));

      // Sign in from the top of the page with the keyboard alone.
      await tabTo(page, 'username');
      await page.keyboard.type(user.username);
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).name, 'password', 'Tab from the username does not go to the password');
      await page.keyboard.type(user.password);
      response = await submitWith(page, () => page.keyboard.press('Enter'));
      assert.equal(response.status(), 303);
      await assertOn(page, '/dashboard', 'signing in');
      assert.equal(await page.locator('[data-username]').textContent(), user.username);
      assert.equal(await page.locator('[data-role]').textContent(), 'user');

      // The session cookie is HttpOnly and SameSite=Lax: page scripts never see it.
      const session = (await look.context.cookies()).find((c) => c.name === 'gatehouse_session');
      assert.ok(session, 'no session cookie after signing in');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');
      assert.doesNotMatch(await page.evaluate(() => document.cookie), /session/);

      // The demo's XSS lesson: markup in ?message= runs nothing and becomes no element
      // (a dialog or a console error would fail the journey through the watch).
      await page.goto(`/dashboard?message=${encodeURIComponent(XSS)}`);
      await settle(page);
      assert.equal(await page.locator('main img, main script').count(), 0, 'the message became elements');

      // Signed in, the sign-in and register pages lead to the dashboard.
      await page.goto('/login');
      await assertOn(page, '/dashboard', 'opening /login signed in');
      await page.goto('/register');
      await assertOn(page, '/dashboard', 'opening /register signed in');
    });
  });

  test('a wrong password: one generic message, the same for an unknown user, focus on the error summary, the username kept', TIMEOUT, async () => {
    const user = nextUser('forgetful');
    await createAccount(server.url, user);
    await inContexts(server.url, 1, async (look) => {
      const page = await look.newPage();
      const attempt = async (username: string) => {
        await page.goto('/login');
        await field(page, 'Username or email').fill(username);
        await field(page, 'Password').fill('not the right passphrase at all');
        const response = await submitWith(page, () => field(page, 'Password').press('Enter'));
        assert.equal(response.status(), 401);
        await assertSummaryFocused(page, formatMessage('error.invalid_credentials'));
        assert.equal(await field(page, 'Username or email').inputValue(), username);
        assert.equal(await field(page, 'Password').inputValue(), '');
        return page.getByRole('main').innerText();
      };
      const known = await attempt(user.username);
      const unknown = await attempt(`nobody_${user.username}`);
      assert.equal(unknown, known, 'an unknown user and a wrong password read differently');
    });
  });

  test('throttled: past LOGIN_MAX_FAILURES the sign-in page answers 429, says how long to wait, and keeps the form', TIMEOUT, async () => {
    // v5.0.0-6.1.1 / 6.3.1: consecutive failures per account+IP are throttled, even for the right password.
    const throttled = await startTestServer({ LOGIN_MAX_FAILURES: '3' });
    try {
      const user = nextUser('hammer');
      await createAccount(throttled.url, user);
      await inContexts(throttled.url, 1, async (look) => {
        const page = await look.newPage();
        await page.goto('/login');
        for (let failure = 1; failure <= 3; failure += 1) {
          await field(page, 'Username or email').fill(user.username);
          await field(page, 'Password').fill(`wrong guess number ${failure}`);
          const response = await submitWith(page, () => field(page, 'Password').press('Enter'));
          assert.equal(response.status(), 401, `failure ${failure}`);
        }
        await field(page, 'Username or email').fill(user.username);
        await field(page, 'Password').fill(user.password);
        const response = await submitWith(page, () => field(page, 'Password').press('Enter'));
        assert.equal(response.status(), 429, 'the right password after 3 failures was let through');
        const retryAfter = Number(response.headers()['retry-after']);
        assert.ok(retryAfter > 0, `Retry-After: ${response.headers()['retry-after']}`);
        const text = await page.getByRole('main').innerText();
        assert.match(text, /\b\d+\s+(seconds?|minutes?|hours?)\b/, `the 429 page does not say how long to wait: ${text}`);
        assert.equal(await field(page, 'Username or email').count(), 1, 'the 429 page has no sign-in form');
        assert.equal(await field(page, 'Username or email').inputValue(), user.username, 'the 429 page dropped the username');
        assert.equal(await field(page, 'Password').count(), 1);
        assert.equal(await page.getByRole('main').getByRole('button', { name: 'Sign in', exact: true }).count(), 1);
      });
    } finally {
      await throttled.stop();
    }
  });

  test('change password: the meter never calls a refused password good; the change ends the other session', TIMEOUT, async () => {
    const user = nextUser('mover');
    const newPassword = 'copper kettle harbour 2931 plum';
    await createAccount(server.url, user);
    await inContexts(server.url, 2, async (first, second) => {
      const page = await first.newPage();
      const other = await second.newPage();
      await signIn(page, user);
      await signIn(other, user);

      // The dashboard links to the password page.
      await navigateWith(page, () => page.getByRole('main').getByRole('link', { name: /password/i }).first().click());
      await assertOn(page, '/settings/password', 'following the dashboard link to the password page');
      await settle(page);

      const meter = page.getByRole('meter');
      assert.equal(await meter.count(), 0, 'the strength meter shows before typing starts');
      const feedback = page.locator('#password-feedback');
      const verdict = async () => {
        await page.waitForTimeout(350); // the meter's debounce (150 ms) and a render
        return { text: ((await feedback.textContent()) ?? '').trim(), value: Number(await meter.getAttribute('value')) };
      };
      const good = formatMessage('meter.good', { score: 4 }).split(':')[0]!; // "Good"

      await field(page, 'Current password').fill(user.password);
      // Refused by the policy: common, contains the username (zxcvbn alone rates it strong), repetitive, too short.
      const containsUsername = `${user.username} lantern meadow`;
      const refused = ['password1234', containsUsername, 'aaaaaaaaaaaaaaaa', 'Tr0ub4dor&3'];
      const newField = field(page, 'New password');
      for (const password of refused) {
        await newField.fill('');
        await newField.pressSequentially(password);
        const shown = await verdict();
        assert.ok(!shown.text.startsWith(good), `the meter says "${shown.text}" for the refused "${password}"`);
        assert.ok(shown.value < 3, `the meter shows ${shown.value}/4 for the refused "${password}"`);
        assert.notEqual(shown.text, '', `no verdict in words for "${password}"`);
        assert.equal(await page.getByRole('meter', { name: /\S/ }).count(), 1, 'the strength meter has no accessible name');
      }
      // Typed one key at a time: at every step the meter says "good" exactly when the server's
      // own policy (same configuration) would accept what is typed so far.
      await newField.fill('');
      for (const key of containsUsername) {
        await newField.press(key === ' ' ? 'Space' : key);
        const typed = await newField.inputValue();
        const serverAccepts = assessPassword(typed, { username: user.username, email: user.email }, server.config.passwords).problems.length === 0;
        const shown = await verdict();
        assert.equal(shown.text.startsWith(good), serverAccepts, `after typing "${typed}" the meter says "${shown.text}", the server would ${serverAccepts ? 'accept' : 'refuse'} it`);
      }
      const refusedText = (await verdict()).text;

      // The server agrees: refused, shown next to the field, nothing changed.
      let response = await submitWith(page, () => newField.press('Enter'));
      assert.equal(response.status(), 400);
      await assertFieldErrors(page, ['new_password']);

      await field(page, 'Current password').fill(user.password);
      await field(page, 'New password').pressSequentially(newPassword);
      const accepted = await verdict();
      assert.ok(accepted.text.startsWith(good), `the meter says "${accepted.text}" for an acceptable password`);
      assert.notEqual(accepted.text, refusedText);
      response = await submitWith(page, () => field(page, 'New password').press('Enter'));
      assert.equal(response.status(), 303);
      await assertOn(page, '/settings/password', 'changing the password');
      assert.equal((await page.getByRole('status').first().textContent())?.trim(), formatMessage('flash.password-changed'));

      // v5.0.0-7.4.3: the other session ended; this one goes on.
      await other.goto('/dashboard');
      await assertOn(other, '/login?next=%2Fdashboard', 'the other session after the password change');
      await page.goto('/dashboard');
      await assertOn(page, '/dashboard', 'the session that changed the password');
      await signIn(other, { username: user.username, password: newPassword });
    });
  });

  /** The newest link matching `pattern` mailed to `address`, read from the server's outbox files. */
  async function outboxLink(address: string, pattern: RegExp): Promise<string> {
    const outbox = path.join(server.dataDir, 'outbox');
    let link: string | undefined;
    for (const file of readdirSync(outbox).sort()) {
      const mail = await simpleParser(readFileSync(path.join(outbox, file)));
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      const found = pattern.exec(mail.text ?? '');
      if (to?.text === address && found) link = found[0];
    }
    assert.ok(link, `no link like ${pattern} for ${address} in the outbox`);
    return link;
  }

  test('email verification and forgot password: links from the outbox, confirmed and used in the browser, then signing in', TIMEOUT, async () => {
    const user = nextUser('forgetful');
    const newPassword = 'amber tugboat orchard 5521 fern';
    await inContexts(server.url, 1, async (look) => {
      const page = await look.newPage();
      await page.goto('/register?lang=en');
      await field(page, 'Username').fill(user.username);
      await field(page, 'Email').fill(user.email);
      await field(page, 'Password').fill(user.password);
      await submitWith(page, () => field(page, 'Password').press('Enter'));
      await assertOn(page, '/login', 'registering');

      // The verification link: the confirm button posts from a real browser (its Origin is
      // checked: the form page must not be under no-referrer, which makes it `null`).
      await server.mail.runOnce();
      const verifyLink = await outboxLink(user.email, /https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]{43}/);
      await page.goto(pathOf(verifyLink));
      await assertOn(page, '/verify-email', 'following the verification link (its token leaves the address bar)');
      let response = await submitWith(page, () => page.locator('main form:has(input[name="token"]) button[type="submit"]').click());
      assert.equal(response.status(), 303, 'the confirmation is accepted');
      await assertOn(page, '/login', 'confirming the address');

      await page.goto('/forgot-password');
      await field(page, 'Email').fill(user.email);
      response = await submitWith(page, () => field(page, 'Email').press('Enter'));
      assert.equal(response.status(), 200);
      assert.match((await page.getByRole('status').first().textContent()) ?? '', /If an account uses that address/);

      // The link, as the person would read it in the mail (the outbox, with SMTP_URL unset).
      await server.mail.runOnce();
      const link = await outboxLink(user.email, /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]{43}/);
      await page.goto(pathOf(link));
      await assertOn(page, '/reset-password', 'following the link (its token leaves the address bar)');

      await field(page, 'New password').fill('password1234');
      response = await submitWith(page, () => field(page, 'New password').press('Enter'));
      assert.equal(response.status(), 400);
      await assertFieldErrors(page, ['password']);
      await field(page, 'New password').fill(newPassword);
      response = await submitWith(page, () => field(page, 'New password').press('Enter'));
      assert.equal(response.status(), 303);
      await assertOn(page, '/login', 'choosing the new password');
      assert.equal((await page.getByRole('status').first().textContent())?.trim(), formatMessage('flash.password-reset'));
      await signIn(page, { username: user.username, password: newPassword });
    });
  });

  test('sign out: the button on every signed-in page ends the session; Back shows nothing; the dashboard asks to sign in again', TIMEOUT, async () => {
    const user = nextUser('leaver');
    await createAccount(server.url, user);
    await inContexts(server.url, 1, async (look) => {
      const page = await look.newPage();
      await signIn(page, user);
      // v5.0.0-7.4.4: a visible sign-out on every signed-in page.
      for (const p of ['/dashboard', '/profile', '/settings/password']) {
        await page.goto(p);
        assert.equal(await page.getByRole('button', { name: 'Sign out', exact: true }).count(), 1, `no sign-out button on ${p}`);
      }
      await page.goto('/dashboard');
      const response = await submitWith(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click());
      assert.equal(response.status(), 303);
      await assertOn(page, '/', 'signing out');
      assert.equal((await page.getByRole('status').textContent())?.trim(), formatMessage('flash.signed-out'));
      const cookies = await look.context.cookies();
      assert.equal(cookies.find((c) => c.name === 'gatehouse_session'), undefined, 'session cookie left behind');

      // v5.0.0-7.4.1: pages are no-store, so Back asks the server, which shows no dashboard.
      await page.goBack();
      await settle(page);
      assert.equal(await page.locator('[data-username]').count(), 0, `Back showed the dashboard again (${pathOf(page.url())})`);
      await page.goto('/dashboard');
      await assertOn(page, '/login?next=%2Fdashboard', 'the dashboard after signing out');
      assert.equal(await page.getByRole('button', { name: 'Sign out', exact: true }).count(), 0);
    });
  });

  test('a stale tab: signing out again lands home; a stale form comes back with a fresh token, never a dead end', TIMEOUT, async () => {
    const user = nextUser('stale');
    await createAccount(server.url, user);
    await inContexts(server.url, 1, async (look) => {
      const tab = await look.newPage();
      const staleTab = await look.newPage();
      await signIn(tab, user);
      await staleTab.goto('/dashboard');

      // Signed out in one tab, the other tab's sign-out button still simply lands home.
      await submitWith(tab, () => tab.getByRole('button', { name: 'Sign out', exact: true }).click());
      let response = await submitWith(staleTab, () => staleTab.getByRole('button', { name: 'Sign out', exact: true }).click());
      assert.equal(response.status(), 303, `the second sign-out answered ${response.status()}: ${await shownMessages(staleTab)}`);
      await assertOn(staleTab, '/', 'signing out in a stale tab');
      assert.equal((await staleTab.goto('/'))?.status(), 200);

      // A sign-in form whose token went stale (the other tab signed in and out meanwhile):
      // the form again, a fresh token and a word of explanation; the next try works.
      await staleTab.goto('/login');
      const staleToken = await csrfTokenOf(staleTab);
      await signIn(tab, user);
      await submitWith(tab, () => tab.getByRole('button', { name: 'Sign out', exact: true }).click());
      await field(staleTab, 'Username or email').fill(user.username);
      await field(staleTab, 'Password').fill(user.password);
      response = await submitWith(staleTab, () => field(staleTab, 'Password').press('Enter'));
      assert.equal(await field(staleTab, 'Password').count(), 1, `a stale sign-in form ended on a page without the form (${response.status()}): ${await shownMessages(staleTab)}`);
      const freshToken = await csrfTokenOf(staleTab);
      assert.notEqual(freshToken, staleToken, 'the re-rendered form carries the stale token again');
      assert.notEqual(await shownMessages(staleTab), '(nothing)', 'no explanation of why the form came back');
      await field(staleTab, 'Username or email').fill(user.username);
      await field(staleTab, 'Password').fill(user.password);
      await submitWith(staleTab, () => field(staleTab, 'Password').press('Enter'));
      await assertOn(staleTab, '/dashboard', 'the second try of a stale sign-in form');

      // A signed-in form in a tab whose session ended: a way on (sign in again or the form), not a bare error.
      await tab.goto('/settings/password');
      await submitWith(staleTab, () => staleTab.getByRole('button', { name: 'Sign out', exact: true }).click());
      await field(tab, 'Current password').fill(user.password);
      await field(tab, 'New password').fill('ember orchard falcon 5522 tide');
      response = await submitWith(tab, () => field(tab, 'New password').press('Enter'));
      const formThere = await tab.locator('main form input[name="csrf_token"]').count();
      const passwordThere = await tab.locator('main input[type="password"]').count();
      assert.ok(formThere > 0 && passwordThere > 0, `a stale password form ended on ${pathOf(tab.url())} (${response.status()}) with no form: ${await shownMessages(tab)}`);
    });
  });

  test('the language switch: the footer link turns the page Spanish, and the choice is remembered on the next page', TIMEOUT, async () => {
    await inContexts(server.url, 1, async (look) => {
      const page = await look.newPage();
      await page.goto('/');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      const englishText = await page.getByRole('main').innerText();
      const footer = page.getByRole('contentinfo');
      assert.equal(await footer.count(), 1, 'no footer (contentinfo landmark)');
      await navigateWith(page, () => footer.getByRole('link', { name: /español/i }).click());
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      const spanishText = await page.getByRole('main').innerText();
      const englishLines = new Set(englishText.split('\n').filter((line) => line.trim().split(/\s+/).length > 3));
      const untranslated = spanishText.split('\n').filter((line) => englishLines.has(line));
      assert.deepEqual(untranslated, [], 'sentences of the home page still in English after switching to Spanish');
      assert.ok(englishLines.size > 0);

      // Remembered: the next page, opened without ?lang=, is Spanish too, and so are its errors.
      await page.goto('/login');
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      await page.locator('main [name="username"]').fill('nadie');
      await page.locator('main [name="password"]').fill('no es la contraseña correcta');
      const response = await submitWith(page, () => page.locator('main [name="password"]').press('Enter'));
      assert.equal(response.status(), 401);
      assert.ok((await page.getByRole('main').innerText()).includes(formatMessage('error.invalid_credentials', {}, 'es')), 'the sign-in error is not in Spanish');
      assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 0, 'the Spanish sign-in page still has an English button');

      // And back.
      await navigateWith(page, () => page.getByRole('contentinfo').getByRole('link', { name: /english/i }).click());
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      await page.goto('/');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal(await page.getByRole('main').innerText(), englishText);
    });
  });
});

