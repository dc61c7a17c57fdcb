/**
 * Two-factor sign-in in a real headless Chromium (issue #12): turn it on from the settings page
 * (the secret read from the page as an authenticator app would scan it, the code typed), see
 * the recovery codes once, sign out, sign in with the password and then a code from the app,
 * then once with a recovery code. The server's clock is moved between steps (the only mock), so
 * each code belongs to a new time step and nobody waits 30 seconds for one. Fails on any
 * console error, CSP violation or failed request (Watch).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { codeAt } from '../../src/domain/two-factor/totp.ts';
import { browserSkipReason, LOOKS, openLook, startBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { account, assertOn, createAccount, field, settle, signIn, submitWith } from './support.ts';

const skip = browserSkipReason();
let offset = 0;
const clock = { now: () => Date.now() + offset };

describe('two-factor journey (headless Chromium)', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    [server, browser] = await Promise.all([startTestServer({}, { clock }), startBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('turn it on, sign out, sign in with a code, then with a recovery code', { timeout: 90_000 }, async () => {
    const user = account('tf_walker');
    await createAccount(server.url, user);
    const look = await openLook(browser, server.url, LOOKS[0]!);
    try {
      const page = await look.newPage();
      await signIn(page, user);
      await page.goto('/settings/two-factor');
      await settle(page);
      const secret = await page.locator('[data-totp-secret]').getAttribute('data-totp-secret');
      assert.ok(secret && /^[A-Z2-7]{32}$/.test(secret), 'the secret is on the page');
      assert.equal(await page.getByRole('img', { name: /QR code/ }).count(), 1, 'the QR code has an accessible name');
      await field(page, 'Code from the app').fill(codeAt(secret, clock.now()));
      await field(page, 'Password').fill(user.password);
      let response = await submitWith(page, () => page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click());
      assert.equal(response.status(), 200);
      const codes = await page.locator('[data-recovery-code]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-recovery-code')!));
      assert.equal(codes.length, 10);

      await submitWith(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click());
      offset += 60_000;
      await page.goto('/login');
      await field(page, 'Username or email').fill(user.username);
      await field(page, 'Password').fill(user.password);
      await submitWith(page, () => field(page, 'Password').press('Enter'));
      await assertOn(page, '/login/two-factor', 'the password step');
      await field(page, 'Code from the app').fill(codeAt(secret, clock.now()));
      await submitWith(page, () => field(page, 'Code from the app').press('Enter'));
      await assertOn(page, '/dashboard', 'the code step');

      await submitWith(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click());
      await page.goto('/login');
      await field(page, 'Username or email').fill(user.username);
      await field(page, 'Password').fill(user.password);
      await submitWith(page, () => field(page, 'Password').press('Enter'));
      await field(page, 'Code from the app').fill(codes[0]!);
      response = await submitWith(page, () => field(page, 'Code from the app').press('Enter'));
      await assertOn(page, '/dashboard', 'a recovery code');
      look.watch.assertClean('two-factor journey');
    } finally {
      await look.close();
    }
  });
});
