/**
 * The browser strength meter (public/strength-meter.js) says what the server says: in a real
 * Chromium, under `script-src 'self'` and `style-src 'self'` with no inline allowance, its
 * feedback for each sample is the first message of the server's checkPassword, in the page's
 * language; a refused password never looks good (bar below minScore, `is-refused`, the
 * problem in words), nor does one equal to the current password; it stays hidden until
 * typing starts; and it causes no CSP violation. The bundle (and its .gz/.br) is what
 * scripts/build-assets.js builds today, and carries only the catalog entries the meter needs.
 */
import assert from 'node:assert/strict';
import { describeProblem } from '../messages/problems.ts';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ASSETS, bundleAsset } from '../../scripts/build-assets.js';
import { browserSkipReason, launchBrowser } from '../../test/helpers/browser.ts';
import { checkPassword } from '../domain/passwords/policy.ts';
import { en } from '../messages/en.ts';
import { es } from '../messages/es.ts';

const BUNDLE = new URL('../../public/strength-meter.js', import.meta.url);
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; form-action 'self'";
const pageHtml = (lang: string) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Register</title>
<script src="/static/strength-meter.js" defer></script></head><body><form method="post">
<input id="username" name="username"><input id="email" name="email" type="email">
<input id="current_password" name="current_password" type="password"><input id="password" name="password" type="password">
<meter id="password-strength" min="0" max="4" low="2" high="3" optimum="4" hidden aria-label="Password strength" data-input="password" data-min-length="12"
 data-max-length="256" data-min-score="3" data-require-classes="0"></meter>
<p id="password-feedback" aria-live="polite"></p></form></body></html>`;
const POLICY = { minLength: 12, maxLength: 256, minScore: 3, requireClasses: false };
const USER = { username: 'frederick', email: 'hedy.lamarr@example.com' };

test('the committed bundle is up to date (else run `node scripts/build-assets.js`)', async () => {
  const asset = ASSETS.find((candidate) => candidate.output === 'public/strength-meter.js')!;
  const built = Buffer.from(await bundleAsset(asset.entry));
  assert.ok(built.equals(await readFile(BUNDLE)), 'public/strength-meter.js is stale');
  assert.ok(gunzipSync(await readFile(new URL('strength-meter.js.gz', BUNDLE))).equals(built), '.gz is stale');
  assert.ok(brotliDecompressSync(await readFile(new URL('strength-meter.js.br', BUNDLE))).equals(built), '.br is stale');
});

test('the bundle carries only the meter\'s catalog entries, in both languages', async () => {
  const bundle = await readFile(BUNDLE, 'utf8');
  for (const sentence of [en['meter.good'], es['meter.good'], es['class.symbol']]) assert.ok(bundle.includes(JSON.stringify(sentence).slice(1, -1)), sentence);
  // Whole other sections of the catalogs stay out: pages, notices, errors the meter never says.
  for (const key of ['page.home.lead', 'flash.signed-out', 'error.csrf_failed', 'detail.invalid_body'] as const) {
    for (const catalog of [en, es]) assert.ok(!bundle.includes(JSON.stringify(catalog[key]).slice(1, -1)), `${key} is in the bundle`);
  }
});

test('the meter shows the server verdict, CSP-clean, in Chromium', async (t) => {
  const skip = browserSkipReason();
  if (skip) return t.skip(skip);
  const script = await readFile(BUNDLE);
  const server = createServer((request, response) => {
    const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' };
    if (request.url === '/static/strength-meter.js') {
      response.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(pageHtml(request.url === '/es' ? 'es' : 'en'));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  t.after(async () => {
    await browser.close();
    server.close();
  });
  const { page } = browser;
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await page.goto(`${origin}/`);
  await page.waitForLoadState('load');
  assert.equal(await page.isVisible('#password-strength'), false, 'hidden until typing starts');
  await page.fill('#username', USER.username);
  await page.fill('#email', USER.email);

  const samples = ['password123', 'frederick-rules-the-waves', 'qwertyuiopasdf', 'sunshine2024!', 'Ωμέγα λύκος τρέχει στο δάσος'];
  for (const password of samples) {
    await page.fill('#password', password);
    const problems = checkPassword(password, USER, POLICY);
    const expected = (problems[0] ? describeProblem(problems[0]) : 'Good: strength');
    await page.waitForFunction(
      (text) => document.getElementById('password-feedback')!.textContent!.startsWith(text),
      expected,
    );
    assert.equal(await page.isVisible('#password-strength'), true, 'shown once typing starts');
    const meter = await page.$eval('#password-strength', (element) => ({
      value: (element as HTMLMeterElement).value,
      classes: element.className,
    }));
    assert.match(meter.classes, problems.length === 0 ? /\bis-acceptable\b/ : /\bis-refused\b/, password);
    assert.ok(problems.length === 0 ? meter.value >= 3 : meter.value < 3, `${password}: meter ${meter.value}`);
  }
  // The server refuses a new password equal to the current one: so does the meter.
  await page.fill('#current_password', 'quartz lantern meadow 4817 violet');
  await page.fill('#password', 'quartz lantern meadow 4817 violet');
  await page.waitForFunction((text) => document.getElementById('password-feedback')!.textContent === text, describeProblem({ code: 'password_unchanged' }));
  assert.match(await page.$eval('#password-strength', (element) => element.className), /\bis-refused\b/);
  await page.fill('#current_password', '');
  await page.fill('#password', '');
  await page.waitForFunction(() => document.getElementById('password-feedback')!.textContent === '');

  // A Spanish page: the same verdicts, in Spanish.
  await page.goto(`${origin}/es`);
  await page.fill('#password', 'password123');
  const spanish = describeProblem(checkPassword('password123', {}, POLICY)[0]!, 'es');
  await page.waitForFunction((text) => document.getElementById('password-feedback')!.textContent!.startsWith(text), spanish);
  assert.deepEqual(browser.cspViolations(), []);
  assert.deepEqual(browser.pageErrors, []);
});
