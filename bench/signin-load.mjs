/**
 * Sign-in load generator (B3, and the flood of B4), in a process of its own so it never shares
 * an event loop with the autocannon probe.
 *
 * Method: a custom closed-loop client on node:http with keep-alive (not autocannon), because
 * every virtual user must carry its own cookie and CSRF token from one request to the next
 * and the figure wanted is whole sign-ins. Each of `--vus` virtual users repeats, until the
 * deadline, the browser's full flow with the next pre-created user (round robin):
 *   1. GET  /login                 → 200, anonymous pre-session cookie + csrf_token in the form
 *   2. POST /login (urlencoded)    → 303 Location /dashboard + a new session cookie
 *   3. GET  /dashboard (new cookie) → 200 with the username on the page
 * Each pre-created user keeps the device cookie its first sign-in was given and sends it on
 * its next ones, as a returning browser does: the first sign-in of each user is from a new
 * device (device recognition runs, a new-device notice is queued and mailed), the later ones
 * are recognised (device recognition runs, no notice). Without it every sign-in of the
 * benchmark would mail a notice, which no real population of users does.
 * A sign-in counts only when all three steps answered as expected. No new flow starts after
 * the deadline; flows in flight finish and count, and the rate divides by the time until
 * the last one finished.
 *
 *   node bench/signin-load.mjs --url http://127.0.0.1:PORT --users users.json --vus 8 --duration-ms 5000
 *
 * Prints one JSON line: { signIns, seconds, perSecond, flowLatencyMs, stepLatencyMs, errors, cpuSeconds }.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { percentiles, runLanes } from './lib/lanes.mjs';

const { values } = parseArgs({
  options: {
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
const CSRF_FIELD = /name="csrf_token" value="([^"]+)"/;

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

/** `name=value` of the session cookie set by this response (any name ending in gatehouse_session). */
function sessionCookie(response) {
  for (const line of response.headers['set-cookie'] ?? []) {
    const pair = line.split(';', 1)[0];
    const name = pair.slice(0, pair.indexOf('='));
    if (name.endsWith('gatehouse_session') && pair.length > name.length + 1) return pair;
  }
  return undefined;
}

/** `name=value` of the device cookie set by this response, if any. */
function deviceCookie(response) {
  for (const line of response.headers['set-cookie'] ?? []) {
    const pair = line.split(';', 1)[0];
    if (pair.slice(0, pair.indexOf('=')).endsWith('gatehouse_device')) return pair;
  }
  return undefined;
}

/** username → the device cookie its browser keeps. */
const devices = new Map();
const withDevice = (user, cookie) => (devices.has(user.username) ? `${cookie}; ${devices.get(user.username)}` : cookie);

const errors = {};
const fail = (what) => {
  errors[what] = (errors[what] ?? 0) + 1;
  return false;
};
const flowLatencies = [];
const steps = { form: [], post: [], dashboard: [] };
let nextUser = 0;

async function signInOnce() {
  const user = users[nextUser++ % users.length];
  const t0 = performance.now();
  const form = await request('GET', '/login', devices.has(user.username) ? { cookie: devices.get(user.username) } : {});
  const t1 = performance.now();
  const preSession = sessionCookie(form);
  const csrf = CSRF_FIELD.exec(form.body)?.[1];
  if (form.status !== 200 || !preSession || !csrf) return fail(`form:${form.status}`);
  const body = new URLSearchParams({ username: user.username, password: user.password, csrf_token: csrf }).toString();
  const post = await request(
    'POST',
    '/login',
    { cookie: withDevice(user, preSession), 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    body,
  );
  const t2 = performance.now();
  const session = sessionCookie(post);
  if (post.status !== 303 || post.headers.location !== '/dashboard' || !session) return fail(`post:${post.status}`);
  const device = deviceCookie(post);
  if (device) devices.set(user.username, device);
  const dashboard = await request('GET', '/dashboard', { cookie: session });
  const t3 = performance.now();
  if (dashboard.status !== 200 || !dashboard.body.includes(user.username)) return fail(`dashboard:${dashboard.status}`);
  steps.form.push(t1 - t0);
  steps.post.push(t2 - t1);
  steps.dashboard.push(t3 - t2);
  flowLatencies.push(t3 - t0);
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
    stepLatencyMs: { form: percentiles(steps.form), post: percentiles(steps.post), dashboard: percentiles(steps.dashboard) },
    errors,
    cpuSeconds,
    vus,
  })}\n`,
);
