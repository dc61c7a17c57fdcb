/**
 * Passkeys in a real headless Chromium (issue #12), with the DevTools protocol's virtual
 * authenticator (CTAP2, internal, resident keys, user verification that always succeeds):
 * add a passkey on /settings/passkeys, sign out, sign in with "Sign in with a passkey"
 * without typing a username, land on the dashboard, remove the passkey; and, on an account with
 * TOTP on, use the passkey as the second step after the password ("Use a passkey"). Everything through
 * the page's own controls and public/passkeys.js, under the real CSP; the journey fails on
 * any console error, failed same-origin request or CSP violation (test/helpers/browser.ts
 * `Watch`).
 *
 * WebAuthn needs a secure context and a domain as RP id (an IP address is refused), so this
 * server's BASE_URL is http://localhost:<port> (localhost is a secure context).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { browserSkipReason, LOOKS, type LookContext, openLook, startBrowser } from '../helpers/browser.ts';
import { CLI_CONTEXT } from '../../src/domain/audit/events.ts';
import { codeAt } from '../../src/domain/two-factor/totp.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/server.ts';
import { account, assertOn, createAccount, field, navigateWith, settle, shownMessages, signIn, submitWith } from './support.ts';

const skip = browserSkipReason();
const DESKTOP_LIGHT = LOOKS[0]!;
const TIMEOUT = { timeout: 90_000 };

async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { cdp, authenticatorId };
}

async function signOut(page: Page): Promise<void> {
  await submitWith(page, () => page.getByRole('button', { name: 'Sign out' }).click());
}

/** Opens /login and waits until its script has asked for the autofill request's options. */
async function openLogin(page: Page): Promise<void> {
  const optionsAsked = page.waitForResponse((r) => r.url().endsWith('/login/passkey/options'));
  await page.goto('/login?lang=en');
  await settle(page);
  assert.equal((await optionsAsked).status(), 200);
  // The script calls navigator.credentials.get right after; give it that moment.
  await page.waitForTimeout(300);
  await assertOn(page, '/login?lang=en', 'the sign-in page');
}

/** Presses a ceremony's button from the keyboard (focus, Enter) and waits for the page the script then opens. */
async function ceremony(page: Page, name: string, expectedPath: string | RegExp): Promise<void> {
  await page.getByRole('button', { name, exact: true }).focus();
  await navigateWith(page, () => page.keyboard.press('Enter'));
  await assertOn(page, expectedPath, `after "${name}"`);
}

describe('passkeys (headless Chromium, virtual authenticator)', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let origin: string;

  before(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    [server, browser] = await Promise.all([startTestServer({ PORT: String(port), BASE_URL: origin }), startBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function inContext(fn: (look: LookContext, page: Page) => Promise<void>): Promise<void> {
    const look = await openLook(browser, origin, DESKTOP_LIGHT);
    try {
      const page = await look.newPage();
      await fn(look, page);
      look.watch.assertClean('passkey journey');
    } finally {
      await look.close();
    }
  }

  test('add a passkey, sign out, sign in with it without a username, then remove it', TIMEOUT, async () => {
    const user = account(`pk_${Date.now().toString(36)}`);
    await createAccount(origin, user);
    await inContext(async (look, page) => {
      const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
      await signIn(page, user);

      // Add: the form appears once the script knows the browser can, the name is optional.
      await page.goto('/settings/passkeys');
      await settle(page);
      assert.equal(await page.getByText('You have no passkeys yet.').count(), 1);
      assert.equal(await page.locator('[data-passkey-fallback]').isVisible(), false, 'the no-script explanation is hidden once the script runs');
      await page.getByLabel('Name (optional)').fill('My laptop');
      await ceremony(page, 'Add a passkey', '/settings/passkeys');
      assert.match(await shownMessages(page), /Your passkey was added/);
      assert.equal(await page.getByRole('heading', { name: 'My laptop', level: 3 }).count(), 1);
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.equal(credentials.length, 1);
      assert.equal(credentials[0]!.isResidentCredential, true, 'a discoverable credential');

      // Sign out, then "Sign in with a passkey": no username typed. While the page loads the
      // authenticator does not answer (no simulated touch), so the username field's autofill
      // request waits as it would for a person who has not picked a suggestion; the button's
      // own request replaces it.
      await signOut(page);
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
      await openLogin(page);
      assert.equal(await page.getByLabel('Username or email', { exact: true }).getAttribute('autocomplete'), 'username webauthn');
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
      await ceremony(page, 'Sign in with a passkey', '/dashboard');
      assert.match(await page.locator('main').innerText(), new RegExp(user.username));

      // Autofill (WebAuthn conditional mediation): the passkey offered on the username field is
      // taken (the virtual authenticator picks it at once), and the dashboard opens.
      await signOut(page);
      await navigateWith(page, () => page.goto('/login?lang=en'));
      await page.waitForURL('**/dashboard');
      await settle(page);
      await assertOn(page, '/dashboard', 'signing in from the username field');

      // Remove it: it is gone from the list and from the account.
      await page.goto('/settings/passkeys');
      await settle(page);
      await submitWith(page, () => page.getByRole('button', { name: 'Remove “My laptop”' }).click());
      await assertOn(page, '/settings/passkeys', 'after removing');
      assert.match(await shownMessages(page), /The passkey was removed/);
      assert.equal(await page.getByText('You have no passkeys yet.').count(), 1);

      // The authenticator still holds the credential, but it no longer signs in.
      await signOut(page);
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
      await openLogin(page);
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
      await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
      await page.locator('[data-passkey-error]').filter({ hasText: 'That passkey did not sign you in.' }).waitFor();
      await assertOn(page, '/login?lang=en', 'a removed passkey');
      // That refusal (401) is the one failed request expected: the page said so in words.
      look.watch.problems.splice(0, look.watch.problems.length, ...look.watch.problems.filter((p) => !/passkey\/verify answered 401|status of 401/.test(p)));
    });
  });
  test('on a TOTP account, the passkey is the second step after the password', TIMEOUT, async () => {
    const user = account(`pk2_${Date.now().toString(36)}`);
    const userId = await createAccount(origin, user);
    await inContext(async (_look, page) => {
      const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
      await signIn(page, user);
      await page.goto('/settings/passkeys');
      await settle(page);
      await ceremony(page, 'Add a passkey', '/settings/passkeys');
      // TOTP on, through the service (its pages are two-factor.test.ts's).
      const stored = (await server.deps.users.findUserById(userId))!;
      const enrolment = (await server.deps.twoFactor.beginEnrolment(stored))!;
      const enabled = await server.deps.twoFactor.confirmEnrolment({ user: stored, code: codeAt(enrolment.secret, Date.now()), currentPassword: user.password, ip: '127.0.0.1', by: CLI_CONTEXT, locale: 'en' });
      assert.equal(enabled.kind, 'enabled');
      await signOut(page);

      // The password first (no autofill answer while the page loads), then the passkey instead of a code.
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
      await openLogin(page);
      await field(page, 'Username or email').fill(user.username);
      await field(page, 'Password').fill(user.password);
      await submitWith(page, () => field(page, 'Password').press('Enter'));
      await assertOn(page, '/login/two-factor', 'after the password');
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
      await ceremony(page, 'Use a passkey', '/dashboard');
      assert.match(await page.locator('main').innerText(), new RegExp(user.username));
    });
  });
});
