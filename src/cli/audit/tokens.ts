/**
 * Token and second-factor endpoints (ASVS v5.0.0-6.4.x, 6.5.x): unknown reset and verification
 * tokens get 400; /login/two-factor without a pending sign-in is refused and signs nobody in;
 * wrong TOTP codes for a pending sign-in are throttled; a mailed reset token works once, when
 * the audit can read the mail (`--mailbox DIR`), else that probe skips, saying why.
 */
import { randomBytes } from 'node:crypto';
import { TOTP } from 'otpauth';
import { waitForLinkToken } from './mailbox.ts';
import { fail, pass, type Probe, skip } from './probe.ts';

const unknownTokens: Probe = {
  id: 'tokens.unknown',
  family: 'tokens',
  async run(ctx) {
    const client = ctx.client();
    await client.get('/login');
    const seen: string[] = [];
    for (const [path, fields] of [
      ['/reset-password', { password: `Audit~${randomBytes(18).toString('base64url')}` }],
      ['/verify-email', {}],
      ['/secure-account', {}],
    ] as const) {
      const token = randomBytes(32).toString('base64url');
      const response = await client.post(path, { token, ...fields });
      if (response.status === 404) {
        seen.push(`${path} → 404 (no such route)`);
        continue;
      }
      if (response.status !== 400) return fail(`POST ${path} with an unknown token → ${response.status} (expected 400)`);
      seen.push(`POST ${path} → 400`);
    }
    if (seen.every((line) => line.endsWith('(no such route)'))) return skip('cli.audit.skip.no_route', { route: '/reset-password, /verify-email, /secure-account' });
    return pass(`unknown well-formed tokens: ${seen.join('; ')}`);
  },
};

/**
 * A mailed reset token works once (v5.0.0-6.4.1): with `--mailbox`, the second throwaway asks
 * for a reset, the link is read from the mailbox and used, then used again from a fresh
 * browser, which must get 400. The account keeps the new password (recorded for clean-up)
 * and a fresh session, since a reset ends every session of the user.
 */
const reused: Probe = {
  id: 'tokens.reused',
  family: 'tokens',
  needs: ['second'],
  async run(ctx) {
    if (!ctx.mailbox) return skip('cli.audit.skip.needs_mailbox');
    const account = ctx.second!;
    const since = Date.now();
    const asker = ctx.client();
    await asker.get('/forgot-password');
    const asked = await asker.post('/forgot-password', { email: account.email });
    if (asked.status === 404) return skip('cli.audit.skip.no_route', { route: '/forgot-password' });
    const token = await waitForLinkToken(ctx.mailbox, account.email, '/reset-password', since);
    if (!token) return skip('cli.audit.skip.no_mail', { address: account.email, dir: ctx.mailbox });
    ctx.secret(token);
    const password = `Audit~${randomBytes(24).toString('base64url')}`;
    ctx.secret(password);
    const browser = ctx.client();
    const landing = await browser.get(`/reset-password?token=${token}`);
    if (landing.status === 303 && landing.location) await browser.get(landing.location);
    const first = await browser.post('/reset-password', { token, password });
    if (first.status >= 400) return fail(`POST /reset-password with the mailed token → ${first.status} (expected a redirect)`);
    account.password = password;
    account.keeper = (await ctx.signIn(account)).session;
    const replay = ctx.client();
    await replay.get('/login');
    // The same new password: a replay that works leaves the account as clean-up knows it.
    const second = await replay.post('/reset-password', { token, password });
    if (second.status !== 400) return fail(`mailed reset token used (→ ${first.status}); used again → ${second.status} (expected 400)`);
    return pass(`mailed reset token: first POST /reset-password → ${first.status} ${first.location ?? ''}; the same token again → 400`);
  },
};

const noPending: Probe = {
  id: 'tokens.two-factor-without-pending',
  family: 'tokens',
  async run(ctx) {
    const client = ctx.client();
    const page = await client.get('/login/two-factor');
    if (page.status === 404) return skip('cli.audit.skip.no_route', { route: '/login/two-factor' });
    if (page.status === 200 && /name="code"/.test(page.body)) return fail('GET /login/two-factor without a pending sign-in → 200, the code form');
    await client.get('/login');
    const posted = await client.post('/login/two-factor', { code: '000000' });
    if (posted.status < 400 && posted.status !== 303) return fail(`POST /login/two-factor without a pending sign-in → ${posted.status}`);
    if (await client.signedIn()) return fail(`POST /login/two-factor without a pending sign-in → ${posted.status}, signed in`);
    return pass(`GET /login/two-factor → ${page.status} ${page.location ?? ''}; POST code=000000 → ${posted.status}, not signed in`);
  },
};

const totpThrottle: Probe = {
  id: 'tokens.totp-throttle',
  family: 'tokens',
  needs: ['second'],
  async run(ctx) {
    const account = ctx.second!;
    const keeper = account.keeper;
    if (!keeper) return skip('cli.audit.skip.no_second_account');
    const enrol = await keeper.get('/settings/two-factor');
    if (enrol.status === 404) return skip('cli.audit.skip.no_route', { route: '/settings/two-factor' });
    const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(enrol.body)?.[1];
    if (!secret) return skip('cli.audit.skip.no_totp_enrolment', { status: enrol.status });
    ctx.secret(secret);
    const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
    const enrolled = await keeper.post('/settings/two-factor', { code: totp.generate(), current_password: account.password });
    if (enrolled.status >= 400) return skip('cli.audit.skip.no_totp_enrolment', { status: enrolled.status });
    account.totpSecret = secret;
    const client = ctx.client();
    await client.get('/login');
    const first = await client.post('/login', { username: account.username, password: account.password });
    if (!first.location?.includes('/login/two-factor')) return fail(`second factor enrolled; POST /login → ${first.status} ${first.location ?? ''} (expected /login/two-factor)`);
    await client.get('/login/two-factor');
    const limit = ctx.loginMaxFailures + 5;
    const right = Number(totp.generate());
    for (let i = 1; i <= limit; i += 1) {
      const wrong = String((right + 500_000 + i) % 1_000_000).padStart(6, '0');
      const response = await client.post('/login/two-factor', { code: wrong });
      if (response.status === 429) return pass(`TOTP enrolled; wrong code #${i} → 429${response.headers.get('retry-after') ? `, Retry-After: ${response.headers.get('retry-after')}` : ''}`);
      if (response.status < 400) return fail(`wrong code #${i} → ${response.status}`);
    }
    return fail(`${limit} wrong TOTP codes → never 429`);
  },
};

export const tokenProbes: Probe[] = [unknownTokens, reused, noPending, totpThrottle];
