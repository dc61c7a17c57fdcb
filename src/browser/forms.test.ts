/**
 * The forms script (public/forms.js) in a real Chromium, on Gatehouse's own register page
 * under its real CSP: the error summary takes focus on load and its links move focus to the
 * field; the show-password toggle appears, switches the input between masked and shown with
 * `aria-pressed` saying which (v5.0.0-6.2.6), and the password is masked again before
 * sending. The committed bundle is what scripts/build-assets.js builds today.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { ASSETS, bundleAsset } from '../../scripts/build-assets.js';
import { browserSkipReason, launchBrowser } from '../../test/helpers/browser.ts';
import { startTestServer } from '../../test/helpers/server.ts';

test('the committed forms bundle is up to date (else run `node scripts/build-assets.js`)', async () => {
  const asset = ASSETS.find((candidate) => candidate.output === 'public/forms.js')!;
  const built = Buffer.from(await bundleAsset(asset.entry));
  assert.ok(built.equals(await readFile(new URL('../../public/forms.js', import.meta.url))), 'public/forms.js is stale');
});

test('summary focus and the show-password toggle work, CSP-clean, in Chromium', async (t) => {
  const skip = browserSkipReason();
  if (skip) return t.skip(skip);
  const server = await startTestServer();
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    await server.stop();
  });
  const { page } = browser;
  await page.goto(new URL('/register', server.url).toString());
  const toggle = page.locator('button[data-password-toggle]');
  assert.equal(await toggle.isVisible(), true, 'the script reveals the toggle');
  assert.equal(await page.getAttribute('#password', 'type'), 'password');
  await page.fill('#password', 'short');
  await toggle.click();
  assert.equal(await page.getAttribute('#password', 'type'), 'text');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Show password' }).count(), 1, 'an accessible name');
  await toggle.click();
  assert.equal(await page.getAttribute('#password', 'type'), 'password');
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');

  await toggle.click();
  await Promise.all([page.waitForNavigation(), page.click('form[action="/register"] button[type="submit"]')]);
  assert.equal(await page.getAttribute('#password', 'type'), 'password', 'the re-rendered form masks again');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'the summary has focus');
  await page.click('#error-summary a[href="#email"]');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'email', 'the link focuses its field');
  assert.deepEqual(browser.cspViolations(), []);
  assert.deepEqual(browser.pageErrors, []);
});
