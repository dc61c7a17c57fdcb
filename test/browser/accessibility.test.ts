/**
 * WCAG 2.2 AA in a real browser: axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on every main
 * page in every state (page-states.ts: forms empty and with their errors, signed in and out,
 * 403/404/429, English and Spanish), in each look: light and dark, desktop (1280×800) and
 * phone (390×844, touch). Zero serious or critical violations; moderate and minor ones are
 * listed as diagnostics. The main controls (buttons, fields) are at least 44 px high. Every state also fails on console errors and CSP violations.
 *
 * One browser for the file, one context per look, each state a subtest (a failing state does
 * not hide the others). The canaries first prove the instruments can fail: axe reports a
 * planted unlabelled field, and an inline script the server never sent is blocked by the
 * real CSP and reported by the page's own `securitypolicyviolation` listener, while axe
 * itself (injected over the DevTools protocol) trips nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, checkAccessibility, LOOKS, openLook, startBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PAGE_STATES, prepareWorld, type StateWorld, STATES_SERVER_ENV, visitStates } from './page-states.ts';
import { settle } from './support.ts';

const skip = browserSkipReason();

describe('accessibility (axe-core, headless Chromium)', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let world: StateWorld;
  const started = Date.now();

  before(async () => {
    [server, browser] = await Promise.all([startTestServer(STATES_SERVER_ENV), startBrowser()]);
    world = await prepareWorld(server.url, (id) => server.deps.users.setRole(id, 'admin'));
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('canary: axe reports a planted unlabelled field; the real CSP blocks and reports an inline script; axe itself trips nothing', async () => {
    const look = await openLook(browser, server.url, LOOKS[0]!);
    try {
      const page = await look.newPage();
      const response = await page.goto('/register?lang=en');
      await settle(page);
      // The policy the page runs under is the server's own, unrelaxed (v5.0.0-3.4.3).
      const csp = response?.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);

      const clean = await checkAccessibility(page, 'register before planting');
      assert.ok(clean.rulesPassed > 10, `axe ran only ${clean.rulesPassed} rules`);
      assert.deepEqual(look.watch.cspViolations(), [], 'injecting axe-core tripped the CSP');

      await page.evaluate(() => {
        const input = document.createElement('input');
        input.type = 'text';
        document.querySelector('main')!.append(input);
      });
      await assert.rejects(checkAccessibility(page, 'planted'), /critical label/);

      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'document.title = "ran"';
        document.body.append(script);
      });
      await page.waitForTimeout(200);
      assert.notEqual(await page.title(), 'ran', 'the inline script ran: the CSP did not block it');
      const reported = look.watch.cspViolations();
      assert.ok(reported.some((r) => r.startsWith('CSP violation') && r.includes('script-src')), `no securitypolicyviolation report: ${JSON.stringify(reported)}`);
      assert.throws(() => look.watch.assertClean('canary'), /CSP violation/);
    } finally {
      await look.close();
    }
  });

  for (const lookSpec of LOOKS) {
    test(`every page state, ${lookSpec.theme} ${lookSpec.size}: no serious or critical violation`, { timeout: 240_000 }, async (t) => {
      const look = await openLook(browser, server.url, lookSpec);
      try {
        const page = await look.newPage();
        await visitStates(page, world, PAGE_STATES, async (state, open) => {
          await t.test(state.name, async (st) => {
            await open();
            const report = await checkAccessibility(page, `${state.name} (${look.name})`);
            for (const line of report.lesser) st.diagnostic(line);
            // The bar for the main controls is 44 px (axe's target-size rule checks WCAG's 24).
            const small = await page.getByRole('main').locator('button:visible, input:not([type="hidden"]):visible, a.button:visible').evaluateAll((elements) =>
              elements
                .map((element) => ({ element, box: element.getBoundingClientRect() }))
                .filter(({ box }) => box.height < 44 - 0.5)
                .map(({ element, box }) => `${element.tagName.toLowerCase()} "${(element.textContent || element.getAttribute('name') || '').trim()}" ${Math.round(box.width)}×${Math.round(box.height)}`),
            );
            assert.deepEqual(small, [], `${state.name} (${look.name}): main controls under 44 px high`);
            look.watch.assertClean(`${state.name} (${look.name})`);
          });
        });
        for (const note of new Set(look.watch.notes)) t.diagnostic(note);
      } finally {
        await look.close();
      }
    });
  }

  test('run time', (t) => {
    t.diagnostic(`accessibility suite: ${((Date.now() - started) / 1000).toFixed(1)} s for ${LOOKS.length} looks × ${PAGE_STATES.length} states`);
  });
});
