/**
 * Cross-site request forgery (ASVS v5.0.0-3.5.1, 3.5.3): a state-changing request without the
 * session's token, with another session's token, or with a foreign Origin gets 403 and changes
 * nothing (the session it tried to end still works); sign-out is not a GET; and sign-in itself
 * refuses a posted form without a token of the browser's own session (login CSRF).
 */
import type { AuditContext } from './probe.ts';
import { fail, pass, type Probe } from './probe.ts';

const EVIL = 'https://evil.test';

async function logoutAttempt(ctx: AuditContext, label: string, form: (token: string | undefined, foreign: string | undefined) => Record<string, string | null>, headers: Record<string, string> = {}) {
  const { session } = await ctx.signIn(ctx.primary!);
  let foreign: string | undefined;
  if (ctx.second) foreign = (await ctx.signIn(ctx.second)).session.csrf;
  const response = await session.post('/logout', form(session.csrf, foreign), { csrf: false, headers });
  const still = await session.signedIn();
  if (response.status !== 403 || !still) return fail(`${label} → ${response.status}${still ? '' : ', signed out'} (expected 403, still signed in)`);
  return pass(`${label} → 403, still signed in`);
}

const missing: Probe = {
  id: 'csrf.missing-token',
  family: 'csrf',
  needs: ['primary'],
  run: (ctx) => logoutAttempt(ctx, 'POST /logout without csrf_token', () => ({})),
};

const foreignToken: Probe = {
  id: 'csrf.foreign-token',
  family: 'csrf',
  needs: ['primary', 'second'],
  run: (ctx) => logoutAttempt(ctx, "POST /logout with another session's csrf_token", (_own, foreign) => ({ csrf_token: foreign ?? 'x' })),
};

const foreignOrigin: Probe = {
  id: 'csrf.foreign-origin',
  family: 'csrf',
  needs: ['primary'],
  run: (ctx) => logoutAttempt(ctx, `POST /logout with its own csrf_token and Origin: ${EVIL}`, (own) => ({ csrf_token: own ?? null }), { origin: EVIL }),
};

const apiMissing: Probe = {
  id: 'csrf.api-missing-token',
  family: 'csrf',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const response = await session.request('POST', '/api/v1/logout', { json: {}, csrf: false });
    const still = await session.signedIn();
    if (response.status !== 403 || !still) return fail(`POST /api/v1/logout without X-CSRF-Token → ${response.status}${still ? '' : ', signed out'} (expected 403)`);
    return pass('POST /api/v1/logout without X-CSRF-Token → 403, still signed in');
  },
};

const getLogout: Probe = {
  id: 'csrf.get-logout',
  family: 'csrf',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const response = await session.get('/logout');
    if (!(await session.signedIn())) return fail(`GET /logout → ${response.status} and the session ended (a link or <img> signs anyone out)`);
    return pass(`GET /logout → ${response.status}, still signed in`);
  },
};

const loginCsrf: Probe = {
  id: 'csrf.login',
  family: 'csrf',
  needs: ['primary'],
  async run(ctx) {
    const account = ctx.primary!;
    const credentials = { username: account.username, password: account.password };
    // The victim's browser has no session; the form comes from the attacker's own session.
    const attacker = ctx.client();
    await attacker.get('/login');
    const cases: Array<[string, Record<string, string | null>, Record<string, string>, boolean]> = [
      ['POST /login without csrf_token or cookie', credentials, {}, false],
      ["POST /login with the attacker session's csrf_token", { ...credentials, csrf_token: attacker.csrf ?? 'x' }, {}, false],
      [`POST /login with Origin: ${EVIL}`, credentials, { origin: EVIL }, true],
    ];
    const seen: string[] = [];
    for (const [label, form, headers, ownToken] of cases) {
      const victim = ctx.client();
      if (ownToken) await victim.get('/login');
      const response = await victim.post('/login', ownToken ? { ...form, csrf_token: victim.csrf ?? null } : form, { csrf: false, headers });
      if (response.status !== 403 || (await victim.signedIn())) return fail(`${label} → ${response.status}${response.location ? ` ${response.location}` : ''} (expected 403, no session)`);
      seen.push(`${label} → 403`);
    }
    return pass(seen.join('; '));
  },
};

export const csrfProbes: Probe[] = [missing, foreignToken, foreignOrigin, apiMissing, getLogout, loginCsrf];
