/**
 * Screenshots of every main page state (page-states.ts) at desktop (1280×800) and phone
 * (390×844) width in the light and the dark theme, for a person to look at: saved to
 * `screenshots/<page>-<theme>-<size>.png` at the repository root (ignored by git), or to
 * $SCREENSHOT_DIR. Each state also fails on console errors and CSP violations.
 *
 * `UPDATE_README_SCREENSHOTS=1` also copies the few the README shows (README_SHOTS) into
 * docs/screenshots/, which is committed; without it, that folder is never touched.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, LOOKS, openLook, startBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PAGE_STATES, prepareWorld, type StateWorld, STATES_SERVER_ENV, visitStates } from './page-states.ts';

const skip = browserSkipReason();
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = process.env.SCREENSHOT_DIR ?? path.join(REPO_ROOT, 'screenshots');
const README_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
/** The screenshots README.md shows. */
export const README_SHOTS = ['login-light-desktop', 'register-errors-dark-phone', 'dashboard-light-desktop', 'home-es-dark-desktop'];

describe('screenshots (headless Chromium)', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let world: StateWorld;

  before(async () => {
    [server, browser] = await Promise.all([startTestServer(STATES_SERVER_ENV), startBrowser()]);
    world = await prepareWorld(server.url, (id) => server.deps.users.setRole(id, 'admin'));
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const lookSpec of LOOKS) {
    test(`every page state, ${lookSpec.theme} ${lookSpec.size}`, { timeout: 240_000 }, async (t) => {
      const look = await openLook(browser, server.url, lookSpec);
      try {
        const page = await look.newPage();
        await visitStates(page, world, PAGE_STATES, async (state, open) => {
          await t.test(state.name, async () => {
            await open();
            // No caret blinking into the picture; the page itself stays as served.
            // 30 s: the API reference is a very long page, and a full-page shot of it on a phone took
            // over 10 s (the default) on a loaded 2-core machine once the admin operations joined it.
            await page.screenshot({ path: path.join(SHOTS, `${state.name}-${look.name}.png`), fullPage: true, caret: 'hide', animations: 'disabled', timeout: 30_000 });
            look.watch.assertClean(`${state.name} (${look.name})`);
          });
        });
      } finally {
        await look.close();
      }
    });
  }

  test('the README screenshots exist (copied into docs/screenshots/ with UPDATE_README_SCREENSHOTS=1)', (t) => {
    t.diagnostic(`screenshots in ${SHOTS}`);
    for (const name of README_SHOTS) {
      const source = path.join(SHOTS, `${name}.png`);
      assert.ok(existsSync(source), `${name}.png was not taken`);
      if (process.env.UPDATE_README_SCREENSHOTS === '1') {
        mkdirSync(README_DIR, { recursive: true });
        copyFileSync(source, path.join(README_DIR, `${name}.png`));
      }
    }
  });
});
