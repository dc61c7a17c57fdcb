/**
 * Every main page in each state a person meets it in: anonymous pages, forms empty and with
 * their errors, the signed-in pages, the 403, 404 and 429 pages; English, and Spanish for the
 * forms and the home page. The accessibility suite runs axe-core on each; the screenshot
 * suite photographs each. States are visited in order in one context: anonymous ones first,
 * then `signIn`, then the signed-in ones.
 *
 * Forms are sent with Enter in their first field (no English button name needed), and empty,
 * so the server answers with every problem at once.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { type Account, account, assertOn, createAccount, settle, signIn, submitWith } from './support.ts';
import { SoftAuthenticator } from '../helpers/soft-authenticator.ts';

export interface StateWorld {
  origin: string;
  /** The signed-in user of the signed-in states. */
  reader: Account;
  /** Someone else's user id: the reader may not open their profile (403). */
  otherUserId: number;
  /** An account throttled for the 429 state (the server runs with LOGIN_MAX_FAILURES=3). */
  throttled: Account;
  /** A new, not yet registered account each call. */
  fresh(): Account;
  /** An administrator, for the admin console's states (`as: 'admin'`). */
  admin: Account;
}

export interface PageState {
  /** `<page>` or `<page>-<variant>`: test names and screenshot files. */
  name: string;
  signedIn: boolean;
  /** The status the page itself answers with. */
  status: number;
  /** The state ends signed out (later signed-in states sign in again). */
  signsOut?: boolean;
  /** Who is signed in for it: the reader (default), or the administrator. */
  as?: 'admin';
  open(page: Page, world: StateWorld): Promise<number>;
}

/**
 * The server the states run on: sign-in throttled after 3 failures (the 429 state), and
 * forward-auth on for this host's own browser (the refusal page's state).
 */
export const STATES_SERVER_ENV = { LOGIN_MAX_FAILURES: '3', TRUST_PROXY: '127.0.0.1', FORWARD_AUTH_DOMAINS: 'example.test' };

/**
 * Accounts the states need, on a fresh server started with STATES_SERVER_ENV. `promote`
 * gives an account the admin role (no page does that for the first admin: the suite reaches
 * the server's store, `server.deps.users.setRole`).
 */
export async function prepareWorld(origin: string, promote: (userId: number) => Promise<unknown>): Promise<StateWorld> {
  const other = account('other_reader');
  const reader = account('ada');
  const throttled = account('hammered');
  const admin = account('grace_admin');
  const otherUserId = await createAccount(origin, other);
  await createAccount(origin, reader);
  await createAccount(origin, throttled);
  await promote(await createAccount(origin, admin));
  let count = 0;
  return { origin, reader, otherUserId, throttled, admin, fresh: () => account(`newcomer_${(count += 1)}`) };
}

async function go(page: Page, path: string): Promise<number> {
  const response = await page.goto(path);
  await settle(page);
  return response?.status() ?? 0;
}

/** Sends the main form as it is, with Enter in its first visible field. */
async function sendForm(page: Page): Promise<number> {
  const form = page.locator('main form:has(input[name="csrf_token"])').last();
  const blocked = await form.evaluate((f: HTMLFormElement) => !f.noValidate && !f.checkValidity());
  assert.ok(!blocked, "the browser's own validation refuses to send the empty form (no `novalidate`): the server's per-field errors and summary never show");
  const first = form.locator('input:not([type="hidden"]):visible').first();
  const response = await submitWith(page, () => first.press('Enter'));
  return response.status();
}

const get = (name: string, path: string, signedIn: boolean, status = 200): PageState => ({
  name,
  signedIn,
  status,
  open: (page) => go(page, path),
});

const getThenSend = (name: string, path: string, signedIn: boolean, status: number): PageState => ({
  name,
  signedIn,
  status,
  async open(page) {
    await go(page, path);
    return sendForm(page);
  },
});

/** A wrong password: the generic sign-in error. */
const wrongPassword = (name: string, lang: 'en' | 'es'): PageState => ({
  name,
  signedIn: false,
  status: 401,
  async open(page, world) {
    await go(page, `/login?lang=${lang}`);
    // A new unknown name each time: the same one would be throttled after 3 failures.
    await page.locator('main [name="username"]').fill(`nobody_${world.fresh().username}`);
    await page.locator('main [name="password"]').fill('not the password');
    return (await submitWith(page, () => page.locator('main [name="password"]').press('Enter'))).status();
  },
});

/** The sign-in page right after registering, with its notice. */
const registeredNotice: PageState = {
  name: 'login-registered',
  signedIn: false,
  status: 200,
  async open(page, world) {
    const user = world.fresh();
    await go(page, '/register?lang=en');
    await page.locator('main [name="username"]').fill(user.username);
    await page.locator('main [name="email"]').fill(user.email);
    await page.locator('main [name="password"]').fill(user.password);
    const response = await submitWith(page, () => page.locator('main [name="password"]').press('Enter'));
    assert.equal(response.status(), 303, 'registering');
    await assertOn(page, '/login', 'registering');
    return 200;
  },
};

/** The home page after the sign-out button, with its notice. */
const signedOutNotice: PageState = {
  name: 'home-signed-out',
  signedIn: true,
  signsOut: true,
  status: 303,
  async open(page) {
    await go(page, '/dashboard?lang=en');
    return (await submitWith(page, () => page.getByRole('button', { name: 'Sign out', exact: true }).click())).status();
  },
};

/** Wrong passwords for the throttled account until the page answers 429 (at most 5 tries). */
const tooManyAttempts: PageState = {
  name: '429',
  signedIn: false,
  status: 429,
  async open(page, world) {
    let status = 0;
    for (let attempt = 0; attempt < 5 && status !== 429; attempt += 1) {
      await go(page, '/login?lang=en');
      await page.locator('main [name="username"]').fill(world.throttled.username);
      await page.locator('main [name="password"]').fill('not the password');
      status = (await submitWith(page, () => page.locator('main [name="password"]').press('Enter'))).status();
    }
    return status;
  },
};

const forbidden: PageState = {
  name: '403',
  signedIn: true,
  status: 403,
  open: (page, world) => go(page, `/profile?id=${world.otherUserId}&lang=en`),
};

/** The change-password form with a refused password typed: the strength meter and its verdict showing. */
const meterShowing: PageState = {
  name: 'change-password-typing',
  signedIn: true,
  status: 200,
  async open(page) {
    const status = await go(page, '/settings/password?lang=en');
    await page.locator('main [name="new_password"]').pressSequentially('password1234');
    await page.waitForTimeout(400);
    return status;
  },
};

/** An admin console page, signed in as the administrator; its path may name the other reader. */
const adminGet = (name: string, path: string | ((world: StateWorld) => string), status = 200): PageState => ({
  name,
  signedIn: true,
  as: 'admin',
  status,
  open: (page, world) => go(page, typeof path === 'string' ? path : path(world)),
});

/** A user's page after an action done from it: the notice it comes back with. */
const adminActionNotice: PageState = {
  name: 'admin-user-notice',
  signedIn: true,
  as: 'admin',
  status: 303,
  async open(page, world) {
    await go(page, `/admin/users/${world.otherUserId}?lang=en`);
    const response = await submitWith(page, () => page.getByRole('button', { name: 'Clear the sign-in throttle', exact: true }).click());
    await assertOn(page, `/admin/users/${world.otherUserId}`, 'clearing the throttle');
    return response.status();
  },
};

/** The OpenID Connect clients page after registering one: the id and the secret, shown once. */
const oidcClientCreated: PageState = {
  name: 'admin-oidc-client-created',
  signedIn: true,
  as: 'admin',
  status: 201,
  async open(page) {
    await go(page, '/admin/oidc-clients?lang=en');
    await page.locator('#oidc-name').fill('Grafana');
    await page.locator('#oidc-redirect-uris').fill('https://grafana.example/login/generic_oauth');
    // By keyboard: on a phone the long list above keeps the box moving while a pointer aims.
    await page.locator('#oidc-first-party').focus();
    await page.keyboard.press('Space');
    return (await submitWith(page, () => page.locator('#oidc-name').press('Enter'))).status();
  },
};

/** The add form sent empty: the summary and each field's problem. */
const oidcClientErrors: PageState = {
  name: 'admin-oidc-clients-errors',
  signedIn: true,
  as: 'admin',
  status: 400,
  async open(page) {
    await go(page, '/admin/oidc-clients?lang=en');
    await page.locator('#oidc-redirect-uris').fill('http://grafana.example/callback#x');
    await page.locator('#oidc-name').fill('Grafana');
    return (await submitWith(page, () => page.locator('#oidc-name').press('Enter'))).status();
  },
};

/**
 * The OpenID Connect consent page (issue #13), as the administrator: a third-party client is
 * registered on the console first (first-party ones skip consent), then an authorization
 * request for it lands on the consent page, signed in already.
 */
const oidcConsent: PageState = {
  name: 'oidc-consent',
  signedIn: true,
  as: 'admin',
  status: 200,
  async open(page, world) {
    await go(page, '/admin/oidc-clients?lang=en');
    await page.locator('#oidc-name').fill('Wiki');
    await page.locator('#oidc-redirect-uris').fill('https://wiki.example/callback');
    assert.equal((await submitWith(page, () => page.locator('#oidc-name').press('Enter'))).status(), 201);
    const clientId = (await page.locator('code[data-client-id]').textContent())!.trim();
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: 'https://wiki.example/callback',
      scope: 'openid profile email groups',
      state: 'page-state',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const status = await go(page, `${world.origin}/oidc/auth?${query.toString()}`);
    assert.match(new URL(page.url()).pathname, /^\/oidc\/interaction\/[\w-]+$/, 'the consent page');
    return status;
  },
};

/** The console's pages: the home, lists with and without problems, a user, confirmations, in both languages. */
const ADMIN_STATES: readonly PageState[] = [
  adminGet('admin-home', '/admin?lang=en'),
  adminGet('admin-users', '/admin/users?lang=en'),
  adminGet('admin-users-search', '/admin/users?q=a&sort=created&direction=desc&lang=en'),
  adminGet('admin-users-bad-cursor', '/admin/users?cursor=not-a-cursor&lang=en', 400),
  adminGet('admin-user', (world) => `/admin/users/${world.otherUserId}?lang=en`),
  adminGet('admin-confirm-disable', (world) => `/admin/users/${world.otherUserId}/disable?lang=en`),
  adminGet('admin-confirm-role', (world) => `/admin/users/${world.otherUserId}/role?lang=en`),
  adminActionNotice,
  adminGet('admin-audit', '/admin/audit?lang=en'),
  adminGet('admin-audit-filtered', '/admin/audit?type=login.succeeded&user=ada&lang=en'),
  adminGet('admin-audit-errors', '/admin/audit?from=2025-02-30&lang=en', 400),
  adminGet('admin-home-es', '/admin?lang=es'),
  adminGet('admin-user-es', (world) => `/admin/users/${world.otherUserId}?lang=es`),
  adminGet('admin-audit-es', '/admin/audit?lang=es'),
  adminGet('admin-oidc-clients', '/admin/oidc-clients?lang=en'),
  oidcClientErrors,
  oidcClientCreated,
  adminGet('admin-oidc-clients-list-es', '/admin/oidc-clients?lang=es'),
  oidcConsent,
];

/**
 * /settings/passkeys with a passkey just added and its notice. No browser authenticator can
 * make one for this server (its RP id would be the IP address 127.0.0.1, which WebAuthn
 * refuses), so the page's own ceremony calls are answered by the software authenticator,
 * with the browser's cookies (page.request shares them).
 */
const passkeyAdded: PageState = {
  name: 'passkeys-added',
  signedIn: true,
  status: 200,
  async open(page, world) {
    await go(page, '/settings/passkeys?lang=en');
    const headers = { 'content-type': 'application/json', 'x-csrf-token': await page.locator('main input[name="csrf_token"]').first().inputValue() };
    const options = await page.request.post(`${world.origin}/settings/passkeys/options`, { headers, data: {} });
    assert.equal(options.status(), 200, 'passkey options');
    const response = new SoftAuthenticator(world.origin).register(await options.json());
    const added = await page.request.post(`${world.origin}/settings/passkeys/verify`, { headers, data: { name: 'Work laptop', response } });
    assert.equal(added.status(), 200, `adding a passkey: ${await added.text()}`);
    return go(page, '/settings/passkeys?lang=en');
  },
};

/** A rename to an empty name: the summary and the list again. */
const passkeyRenameRefused: PageState = {
  name: 'passkeys-rename-errors',
  signedIn: true,
  status: 400,
  async open(page) {
    await go(page, '/settings/passkeys?lang=en');
    const name = page.locator('main form[action="/settings/passkeys/rename"] input[name="name"]').first();
    await name.fill('   ');
    return (await submitWith(page, () => name.press('Enter'))).status();
  },
};

/** Every state, anonymous ones first. */
/**
 * Forward-auth's refusal page (issue #13), as a reverse proxy would show it: the reader (not an
 * administrator) asks for an `?group=admin` location; the browser itself plays the proxy,
 * sending the X-Forwarded-* headers from 127.0.0.1 (a TRUST_PROXY address here).
 */
function forwardAuthRefused(name: string, language: 'en' | 'es'): PageState {
  return {
    name,
    signedIn: true,
    status: 403,
    async open(page) {
      await page.setExtraHTTPHeaders({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.test', 'x-forwarded-uri': '/admin/', 'accept-language': language });
      try {
        const status = await go(page, '/auth/verify?group=admin');
        assert.match(await page.locator('[data-refusal]').getAttribute('data-refusal') ?? '', /^group_required$/, 'the refusal page');
        return status;
      } finally {
        await page.setExtraHTTPHeaders({});
      }
    },
  };
}

export const PAGE_STATES: readonly PageState[] = [
  get('home', '/?lang=en', false),
  get('register', '/register?lang=en', false),
  getThenSend('register-errors', '/register?lang=en', false, 400),
  get('login', '/login?lang=en', false),
  wrongPassword('login-errors', 'en'),
  registeredNotice,
  get('404', '/no-such-page?lang=en', false, 404),
  get('api-reference', '/api/v1/docs?lang=en', false),
  get('forgot-password', '/forgot-password?lang=en', false),
  getThenSend('forgot-password-errors', '/forgot-password?lang=en', false, 400),
  get('reset-password-bad-link', '/reset-password?token=not-a-real-token&lang=en', false, 400),
  get('verify-email-bad-link', '/verify-email?token=not-a-real-token&lang=en', false, 400),
  tooManyAttempts,
  get('home-es', '/?lang=es', false),
  get('register-es', '/register?lang=es', false),
  getThenSend('register-errors-es', '/register?lang=es', false, 400),
  get('login-es', '/login?lang=es', false),
  wrongPassword('login-errors-es', 'es'),
  get('404-es', '/no-such-page?lang=es', false, 404),
  get('api-reference-es', '/api/v1/docs?lang=es', false),
  get('forgot-password-es', '/forgot-password?lang=es', false),
  // The OpenID Connect provider's error page (an unknown client: no redirect anywhere).
  get('oidc-error', '/oidc/auth?client_id=unknown&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2Fcb&lang=en', false, 400),
  get('oidc-error-es', '/oidc/auth?client_id=unknown&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2Fcb&lang=es', false, 400),
  get('home-signed-in', '/?lang=en', true),
  get('dashboard', '/dashboard?lang=en', true),
  get('profile', '/profile?lang=en', true),
  get('change-password', '/settings/password?lang=en', true),
  getThenSend('change-password-errors', '/settings/password?lang=en', true, 400),
  meterShowing,
  get('change-email', '/settings/email?lang=en', true),
  getThenSend('change-email-errors', '/settings/email?lang=en', true, 400),
  get('sessions', '/settings/sessions?lang=en', true),
  get('secure-account', '/settings/secure-account?lang=en', true),
  get('delete-account', '/settings/delete-account?lang=en', true),
  getThenSend('delete-account-errors', '/settings/delete-account?lang=en', true, 400),
  get('sessions-es', '/settings/sessions?lang=es', true),
  get('connected-apps', '/settings/apps?lang=en', true),
  get('connected-apps-es', '/settings/apps?lang=es', true),
  get('sign-out', '/logout?lang=en', true),
  get('sign-out-es', '/logout?lang=es', true),
  forwardAuthRefused('forward-auth-refused', 'en'),
  forwardAuthRefused('forward-auth-refused-es', 'es'),
  get('change-email-es', '/settings/email?lang=es', true),
  forbidden,
  get('dashboard-es', '/dashboard?lang=es', true),
  get('change-password-es', '/settings/password?lang=es', true),
  getThenSend('change-password-errors-es', '/settings/password?lang=es', true, 400),
  // Sudo mode, the activity page and two-factor enrolment (issues #11, #12).
  get('sudo', '/sudo?next=%2Fsettings%2Fpassword&lang=en', true),
  getThenSend('sudo-errors', '/sudo?lang=en', true, 400),
  get('activity', '/settings/activity?lang=en', true),
  get('activity-es', '/settings/activity?lang=es', true),
  get('two-factor-enrol', '/settings/two-factor?lang=en', true),
  getThenSend('two-factor-enrol-errors', '/settings/two-factor?lang=en', true, 400),
  get('two-factor-enrol-es', '/settings/two-factor?lang=es', true),
  signedOutNotice,
  // The admin console (issue #11), signed in as the administrator.
  ...ADMIN_STATES,
  // Passkeys (issue #12): the list as found, after adding one, a refused rename, Spanish. As the
  // administrator, already signed in here (the reader's pair is throttled by now: its refused
  // password forms above count as failures under LOGIN_MAX_FAILURES=3).
  ...[get('passkeys', '/settings/passkeys?lang=en', true), passkeyAdded, passkeyRenameRefused, get('passkeys-es', '/settings/passkeys?lang=es', true)].map(
    (state): PageState => ({ ...state, as: 'admin' }),
  ),
];

/**
 * Visits `states` in order in one page, signing in before the first signed-in one, and calls
 * `check` on each once it is open (after asserting the page's status). Failures are collected
 * per state by the caller's `check`.
 */
export async function visitStates(
  page: Page,
  world: StateWorld,
  states: readonly PageState[],
  check: (state: PageState, open: () => Promise<void>) => Promise<void>,
): Promise<void> {
  let signedIn: 'reader' | 'admin' | null = null;
  for (const state of states) {
    const who = state.as ?? 'reader';
    if (state.signedIn && signedIn !== who) {
      if (signedIn) await page.context().clearCookies();
      await signIn(page, who === 'admin' ? world.admin : world.reader);
      signedIn = who;
    }
    await check(state, async () => {
      const status = await state.open(page, world);
      assert.equal(status, state.status, `${state.name}: the page answered ${status}`);
    });
    if (state.signsOut) signedIn = null;
  }
}
