/**
 * Sessions (ASVS v5.0.0-7.2.4, 7.4.1, 3.3.1): sign-in replaces a pre-set session cookie (no
 * fixation), a signed-out cookie replayed is not signed in, forged or tampered cookies are not
 * signed in, and the session cookie carries HttpOnly, SameSite and, over https, Secure and the
 * __Host- prefix.
 */
import { randomBytes } from 'node:crypto';
import { fail, pass, type Probe, skip } from './probe.ts';

/** The session cookie a response set, if any. */
function sessionSet(lines: string[], name: string): string | undefined {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1).split(';')[0];
}

const fixation: Probe = {
  id: 'session.fixation',
  family: 'session',
  needs: ['primary'],
  async run(ctx) {
    const account = ctx.primary!;
    const results: string[] = [];
    for (const kind of ['server-issued', 'attacker-chosen'] as const) {
      const client = ctx.client();
      await client.get('/login');
      if (kind === 'attacker-chosen' || !client.cookies.has(ctx.sessionCookie)) client.cookies.set(ctx.sessionCookie, randomBytes(32).toString('base64url'));
      // A second visit with the cookie set, as a victim's browser would after a planted cookie.
      await client.get('/login');
      const planted = client.cookies.get(ctx.sessionCookie);
      if (planted === undefined) {
        results.push(`${kind}: dropped before sign-in`);
        continue;
      }
      ctx.secret(planted);
      const response = await client.post('/login', { username: account.username, password: account.password });
      const issued = sessionSet(response.setCookies, ctx.sessionCookie);
      if (issued === undefined || issued === planted) {
        const attacker = ctx.client();
        attacker.cookies.set(ctx.sessionCookie, planted);
        if (await attacker.signedIn()) return fail(`${kind} cookie before POST /login → ${response.status}, ${issued === undefined ? 'no new cookie' : 'the same value'}; the planted cookie is signed in`);
      }
      results.push(`${kind}: replaced at sign-in`);
    }
    return pass(`pre-set session cookie (${results.join('; ')}); the planted value is not signed in`);
  },
};

const replay: Probe = {
  id: 'session.replay-after-logout',
  family: 'session',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const saved = new Map(session.cookies);
    await session.get('/dashboard');
    const out = await session.post('/logout', {});
    const replayed = ctx.client();
    for (const [name, value] of saved) replayed.cookies.set(name, value);
    const dashboard = await replayed.get('/dashboard');
    if (dashboard.status === 200) return fail(`POST /logout → ${out.status}; the old cookie replayed: GET /dashboard → 200`);
    return pass(`POST /logout → ${out.status}; the old cookie replayed: GET /dashboard → ${dashboard.status}`);
  },
};

function mutations(value: string): string[] {
  const last = value.at(-1) ?? 'a';
  const swap = (c: string) => value.slice(0, -1) + c;
  const variants = /\d/.test(last) ? [swap(String((Number(last) + 1) % 10)), swap(String((Number(last) + 9) % 10))] : [swap(last === 'A' ? 'B' : 'A')];
  return [...variants, `${value.slice(0, -2)}`, randomBytes(32).toString('base64url'), 'admin', '1', Buffer.from('{"user_id":1,"role":"admin"}').toString('base64'), ''];
}

const forged: Probe = {
  id: 'session.forged-cookie',
  family: 'session',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const real = session.cookies.get(ctx.sessionCookie);
    if (real === undefined) return skip('cli.audit.skip.no_session_cookie', { name: ctx.sessionCookie });
    const tries = mutations(real);
    for (const value of tries) {
      const client = ctx.client();
      client.cookies.set(ctx.sessionCookie, value);
      const dashboard = await client.get('/dashboard');
      if (dashboard.status === 200) return fail(`a forged ${ctx.sessionCookie} (${value.length} characters, ${value === '' ? 'empty' : 'made up'}) → GET /dashboard 200`);
    }
    return pass(`${tries.length} forged or tampered ${ctx.sessionCookie} values (one character changed, shortened, random, "admin", "1", JSON) → not signed in`);
  },
};

const flags: Probe = {
  id: 'cookies.session-flags',
  family: 'cookies',
  needs: ['primary'],
  async run(ctx) {
    const account = ctx.primary!;
    const client = ctx.client();
    await client.get('/login');
    const response = await client.post('/login', { username: account.username, password: account.password });
    const line = response.setCookies.find((l) => /session/i.test(l.split('=')[0] ?? ''));
    if (!line) return fail(`POST /login → ${response.status} set no session cookie`);
    const name = line.split('=')[0]!;
    const missing: string[] = [];
    if (!/;\s*HttpOnly/i.test(line)) missing.push('HttpOnly');
    const sameSite = /;\s*SameSite=(\w+)/i.exec(line)?.[1];
    if (!sameSite || /^none$/i.test(sameSite)) missing.push('SameSite=Lax|Strict');
    if (ctx.https) {
      if (!/;\s*Secure/i.test(line)) missing.push('Secure');
      if (!name.startsWith('__Host-')) missing.push('__Host- prefix');
    }
    if (missing.length > 0) return fail(`${name}: missing ${missing.join(', ')}`);
    return pass(`${name}: HttpOnly, SameSite=${sameSite}${ctx.https ? ', Secure, __Host-' : ' (http: Secure and __Host- not expected)'}`);
  },
};

export const sessionProbes: Probe[] = [fixation, replay, forged, flags];
