/**
 * JSON sign-in load generator for the peer figures (P2, and the flood of P3), in a process of
 * its own so it never shares an event loop with the autocannon reader. One script for both
 * sides, so both are driven by the same client code.
 *
 * Method: the closed loop of bench/signin-load.mjs (node:http keep-alive, `--vus` virtual
 * users, the next pre-registered user round robin, no new flow after the deadline, flows in
 * flight finish and count), but each virtual user makes the sign-in a JSON client makes,
 * signing in with the email address and reading the new session back once:
 *   --side gatehouse      GET /api/v1/csrf → POST /api/v1/login {username: email, password}
 *                         (pre-session cookie + X-CSRF-Token) → GET /api/v1/me (new cookie)
 *   --side better-auth    POST /api/auth/sign-in/email {email, password} (Origin header: its
 *                         CSRF check) → GET /api/auth/get-session (new cookie)
 * A sign-in counts only when every step answered as expected and the read-back names the
 * user's email. Gatehouse's extra step (the CSRF token) is part of its JSON sign-in per
 * CONTRACT.md; it touches no database.
 *
 *   node bench/peers/signin-json-load.mjs --side better-auth --url http://127.0.0.1:PORT --users users.json --vus 8 --duration-ms 5000
 *
 * Prints one JSON line: { signIns, seconds, perSecond, flowLatencyMs, stepLatencyMs, errors, cpuSeconds, vus }.
 * Never prints a password or a session token.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { percentiles, runLanes } from '../lib/lanes.mjs';

const { values } = parseArgs({
  options: {
    side: { type: 'string' },
    url: { type: 'string' },
    users: { type: 'string' },
    vus: { type: 'string', default: '8' },
    'duration-ms': { type: 'string', default: '5000' },
  },
});
const target = new URL(values.url);
const users = JSON.parse(readFileSync(values.users, 'utf8'));
const vus = Number(values.vus);
const durationMs = Number(values['duration-ms']);
const agent = new http.Agent({ keepAlive: true, maxSockets: vus * 2 });

function request(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, method, path, agent, headers: { 'user-agent': 'gatehouse-bench', ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** `name=value` of the first cookie set by `response` whose name ends in `suffix`. */
function cookieEndingIn(response, suffix) {
  for (const line of response.headers['set-cookie'] ?? []) {
    const pair = line.split(';', 1)[0];
    const name = pair.slice(0, pair.indexOf('='));
    if (name.endsWith(suffix) && pair.length > name.length + 1) return pair;
  }
  return undefined;
}

const json = (body) => ({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });

/**
 * Each side's steps: `signIn(user)` → { ok, cookie, step } and `readBack(cookie, user)` → { ok, step }.
 * `step` names what failed, for the error counts.
 */
const SIDES = {
  gatehouse: {
    async signIn(user) {
      const csrf = await request('GET', '/api/v1/csrf');
      const preSession = cookieEndingIn(csrf, 'gatehouse_session');
      const csrfToken = csrf.status === 200 ? JSON.parse(csrf.body).csrfToken : undefined;
      if (!preSession || !csrfToken) return { ok: false, step: `csrf:${csrf.status}` };
      const body = JSON.stringify({ username: user.email, password: user.password });
      const login = await request('POST', '/api/v1/login', { ...json(body), cookie: preSession, 'x-csrf-token': csrfToken }, body);
      const cookie = cookieEndingIn(login, 'gatehouse_session');
      return login.status === 200 && cookie ? { ok: true, cookie } : { ok: false, step: `login:${login.status}` };
    },
    async readBack(cookie, user) {
      const me = await request('GET', '/api/v1/me', { cookie });
      return { ok: me.status === 200 && me.body.includes(user.email), step: `me:${me.status}` };
    },
  },
  'better-auth': {
    async signIn(user) {
      const body = JSON.stringify({ email: user.email, password: user.password });
      const signIn = await request('POST', '/api/auth/sign-in/email', { ...json(body), origin: target.origin }, body);
      const cookie = cookieEndingIn(signIn, 'session_token');
      return signIn.status === 200 && cookie ? { ok: true, cookie } : { ok: false, step: `sign-in:${signIn.status}` };
    },
    async readBack(cookie, user) {
      const session = await request('GET', '/api/auth/get-session', { cookie });
      return { ok: session.status === 200 && session.body.includes(user.email), step: `get-session:${session.status}` };
    },
  },
};
const side = SIDES[values.side];
if (!side) throw new Error(`--side ${values.side}: one of ${Object.keys(SIDES).join(', ')}`);

const errors = {};
const fail = (what) => {
  errors[what] = (errors[what] ?? 0) + 1;
  return false;
};
const flowLatencies = [];
const steps = { signIn: [], readBack: [] };
let nextUser = 0;

async function signInOnce() {
  const user = users[nextUser++ % users.length];
  const t0 = performance.now();
  const signedIn = await side.signIn(user);
  const t1 = performance.now();
  if (!signedIn.ok) return fail(signedIn.step);
  const read = await side.readBack(signedIn.cookie, user);
  const t2 = performance.now();
  if (!read.ok) return fail(read.step);
  steps.signIn.push(t1 - t0);
  steps.readBack.push(t2 - t1);
  flowLatencies.push(t2 - t0);
  return true;
}

/** One sign-in of a virtual user; a network error counts as a failed one, by its code. */
async function virtualUserOnce() {
  try {
    return await signInOnce();
  } catch (error) {
    return fail(`network:${error.code ?? error.message}`);
  }
}

const { count: signIns, seconds, cpuSeconds } = await runLanes({ lanes: vus, durationMs, once: virtualUserOnce });
agent.destroy();
process.stdout.write(
  `${JSON.stringify({
    signIns,
    seconds,
    perSecond: signIns / seconds,
    flowLatencyMs: percentiles(flowLatencies),
    stepLatencyMs: { signIn: percentiles(steps.signIn), readBack: percentiles(steps.readBack) },
    errors,
    cpuSeconds,
    vus,
  })}\n`,
);
