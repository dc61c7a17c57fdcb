/**
 * SQL injection (ASVS v5.0.0-1.2.4): the demo guide's payloads and error-based, boolean and
 * time-based markers in every form field that reaches a query (sign-in, registration, forgot
 * password, the JSON sign-in) and in the profile id. A probe fails when an injected sign-in
 * succeeds, a database error text leaks, the server answers 5xx, or a time-based payload delays
 * the answer clearly beyond a baseline.
 */
import { type AuditContext, DB_ERROR, fail, pass, type Probe, randomSuffix, skip, STACK } from './probe.ts';
import type { AuditResponse } from './client.ts';

export const DEMO_PAYLOADS = [`admin' OR '1'='1' --`, `x' OR '1'='1`, `' OR 1=1 -- `];
const MARKERS = [`'`, `"`, `')) OR 1=1 --`, `x' AND 1=CAST('a' AS INTEGER) --`, `x' UNION SELECT NULL --`];
const ALL = [...DEMO_PAYLOADS, ...MARKERS];

/** Slow in each dialect; a server that runs any of them waits seconds. */
const TIME_PAYLOADS = [
  `x' OR (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c LIMIT 15000000) SELECT count(*) FROM c) > 0 --`,
  `x' OR pg_sleep(2) IS NULL --`,
  `x' OR SLEEP(2) --`,
];
const DELAY_MS = 1000;

function leaks(response: AuditResponse): string | undefined {
  if (response.status >= 500) return `${response.status}`;
  if (DB_ERROR.test(response.body)) return 'database error text';
  if (STACK.test(response.body)) return 'stack trace';
  return undefined;
}

function signedInBy(ctx: AuditContext, response: AuditResponse): boolean {
  if (response.status === 200 && /application\/json/.test(response.headers.get('content-type') ?? '')) return true;
  if (response.status !== 302 && response.status !== 303) return false;
  const to = new URL(response.location ?? '/', ctx.base).pathname;
  return !to.startsWith('/login') && response.setCookies.some((line) => line.startsWith(`${ctx.sessionCookie}=`) && !/=;|max-age=0/i.test(line));
}

async function formSignIn(ctx: AuditContext, username: string, password: string): Promise<AuditResponse> {
  const client = ctx.client();
  await client.get('/login');
  return client.post('/login', { username, password });
}

/** How long a sign-in with this username took; a request that timed out took at least its timeout. */
async function timedSignIn(ctx: AuditContext, username: string): Promise<number> {
  const started = performance.now();
  try {
    return (await formSignIn(ctx, username, 'wrong-password')).ms;
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return performance.now() - started;
    throw error;
  }
}

const signInForm: Probe = {
  id: 'sqli.sign-in-form',
  family: 'injection',
  async run(ctx) {
    let tries = 0;
    for (const payload of ALL) {
      for (const [username, password] of [
        [payload, 'wrong-password'],
        // An unknown name: no real account (nor --user) collects failed sign-ins and locks.
        [`audit-${randomSuffix()}`, payload],
      ] as const) {
        tries += 1;
        const response = await formSignIn(ctx, username, password);
        const field = username === payload ? 'username' : 'password';
        if (signedInBy(ctx, response)) return fail(`POST /login ${field}=${payload} → ${response.status} ${response.location ?? ''}: signed in`);
        const leak = leaks(response);
        if (leak) return fail(`POST /login ${field}=${payload} → ${leak}`);
      }
    }
    return pass(`${tries} injected sign-ins (username, password) → refused, no database error`);
  },
};

const signInApi: Probe = {
  id: 'sqli.sign-in-api',
  family: 'injection',
  async run(ctx) {
    const client = ctx.client();
    for (const payload of DEMO_PAYLOADS) {
      const response = await client.request('POST', '/api/v1/login', { json: { username: payload, password: 'wrong-password' } });
      if (response.status === 404) return skip('cli.audit.skip.no_route', { route: 'POST /api/v1/login' });
      if (response.status === 200) return fail(`POST /api/v1/login {"username":"${payload}"} → 200: signed in`);
      const leak = leaks(response);
      if (leak) return fail(`POST /api/v1/login {"username":"${payload}"} → ${leak}`);
    }
    return pass(`${DEMO_PAYLOADS.length} injected JSON sign-ins → refused, no database error`);
  },
};

const registerAndForgot: Probe = {
  id: 'sqli.register-forgot',
  family: 'injection',
  async run(ctx) {
    const client = ctx.client();
    let tries = 0;
    for (const payload of DEMO_PAYLOADS) {
      const suffix = randomSuffix();
      const password = `Audit~${randomSuffix(16)}${randomSuffix(16)}`;
      ctx.secret(password);
      for (const fields of [
        { username: payload, email: `audit-${suffix}@audit.invalid`, password },
        { username: `audit-${suffix}`, email: `${payload}@audit.invalid`, password },
      ]) {
        tries += 1;
        const response = await ctx.register(fields);
        const leak = leaks({ ...response, headers: new Headers(), setCookies: [], ms: 0 });
        if (leak) return fail(`POST /register ${fields.username === payload ? 'username' : 'email'}=${payload} → ${leak}`);
      }
      await client.get('/forgot-password');
      const forgot = await client.post('/forgot-password', { email: `${payload}@audit.invalid` });
      tries += 1;
      const leak = leaks(forgot);
      if (leak) return fail(`POST /forgot-password email=${payload}@audit.invalid → ${leak}`);
    }
    return pass(`${tries} injected registrations and reset requests → no database error, no 5xx`);
  },
};

const profileId: Probe = {
  id: 'sqli.profile-id',
  family: 'injection',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const own = ctx.primary!.id;
    for (const id of ['1 OR 1=1', "1'", `${own ?? 1}' OR '1'='1`, '1;DROP TABLE users', '1 UNION SELECT 1', '-1 OR 1=1']) {
      const response = await session.get(`/profile?id=${encodeURIComponent(id)}`);
      const leak = leaks(response);
      if (leak) return fail(`GET /profile?id=${id} → ${leak}`);
      const shown = [...response.body.matchAll(/data-user-id="(\d+)"/g)].map((m) => Number(m[1])).filter((n) => n !== own);
      if (response.status === 200 && shown.length > 0) return fail(`GET /profile?id=${id} → 200 with user ${shown[0]}'s profile`);
    }
    return pass('6 injected profile ids → no other user, no database error');
  },
};

const timeBased: Probe = {
  id: 'sqli.time-based',
  family: 'injection',
  async run(ctx) {
    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) times.push(await timedSignIn(ctx, `audit-${randomSuffix()}`));
    times.sort((a, b) => a - b);
    const baseline = times[1]!;
    let slowest = 0;
    for (const payload of TIME_PAYLOADS) {
      const first = await timedSignIn(ctx, payload);
      slowest = Math.max(slowest, first);
      if (first > baseline + DELAY_MS) {
        const again = await timedSignIn(ctx, payload);
        if (again > baseline + DELAY_MS) return fail(`POST /login username=${payload.slice(0, 40)}… → ${Math.round(first)} ms and ${Math.round(again)} ms against a ${Math.round(baseline)} ms baseline`);
      }
    }
    return pass(`baseline median ${Math.round(baseline)} ms; slowest time-based payload ${Math.round(slowest)} ms`);
  },
};

export const injectionProbes: Probe[] = [signInForm, signInApi, registerAndForgot, profileId, timeBased];
