// Property: hostile bytes never break the server (issue #14). 5 000 generated requests, sent
// raw over TCP so nothing normalises them first (odd methods, paths with stray and overlong
// percent-encodings, dot segments, NUL and backslashes; query strings with repeated, empty
// and huge keys; headers with CR/LF smuggling attempts, odd and duplicated Content-Type,
// Content-Length that lies either way, many cookies, forged session cookies; bodies of
// invalid UTF-8, deep JSON, duplicate keys, huge fields) against one live server, signed out
// and signed in. Every answer is checked: no 5xx (v5.0.0-16.5.3: fail securely, no 500 for
// bad input), no stack trace or internal path in any body (v5.0.0-13.4.2, 16.5.1), and neither
// the SECRET_KEY, the session token used, nor a password in a response or a log line
// (v5.0.0-14.2.1, 16.2.5). Afterwards the process is alive, /healthz answers 200 and a normal
// sign-in still works. The generator is seeded (FUZZ_SEED, printed on failure) so a failure
// replays; FUZZ_RUNS raises the count.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
const SECRET_KEY = '6f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091';
const PASSWORD = 'quarry lantern halibut 5521 fennel';
/** Requests in flight at once: enough to overlap, few enough for 2 shared cores. */
const PARALLEL = 8;
const ANSWER_TIMEOUT_MS = 5000;

const PATHS = [
  '/', '/login', '/register', '/logout', '/dashboard', '/profile', '/profile?id=1', '/settings/password', '/settings/email',
  '/settings/sessions', '/settings/sessions/revoke', '/settings/two-factor', '/settings/passkeys', '/settings/delete-account',
  '/settings/activity', '/sudo', '/verify-email', '/forgot-password', '/reset-password', '/secure-account', '/login/two-factor',
  '/admin', '/admin/users', '/admin/users/1', '/admin/audit', '/admin/audit.csv', '/admin/audit.jsonl', '/healthz',
  '/.well-known/change-password', '/static/app.css', '/api/v1/csrf', '/api/v1/login', '/api/v1/register', '/api/v1/logout',
  '/api/v1/me', '/api/v1/openapi.json', '/api/v1/diagnostics/request', '/api/v1/sessions', '/api/v1/admin/users', '/nope',
  '/auth/verify', '/auth/verify/nginx', '/auth/jwks.json', '/settings/apps', '/admin/oidc-clients', '/api/v1/admin/oidc-clients',
  '/oidc/.well-known/openid-configuration', '/oidc/jwks', '/oidc/auth', '/oidc/token', '/oidc/me', '/oidc/token/revocation',
  '/oidc/session/end', '/oidc/interaction/x', '/oidc/auth?client_id=x&response_type=code&scope=openid&redirect_uri=https://a.test/cb',
];

const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'get', 'G3T'];

/** Pieces that parsers and routers have tripped on, spliced into paths, queries and fields. */
const NASTY = [
  '%', '%2', '%zz', '%00', '%2e%2e%2f', '..%2f', '../', '..\\', '%c0%af', '%e0%80%af', '%ff', '%ed%a0%80', '//', '\\\\evil.test',
  ';', '%0d%0a', '\u0000', '\u202e', '\ud83d\ude00', "' OR '1'='1' --", '"><script>alert(1)</script>', '${7*7}', '{{7*7}}',
  '__proto__', 'constructor', 'prototype', '[]', '[object Object]', 'NaN', '-1', '1e309', '0x10', ' ', '\t', '?', '#', '&&&',
];

const token = fc.stringMatching(/^[A-Za-z0-9_-]{0,24}$/);
const nasty = fc.constantFrom(...NASTY);
const rawPiece = fc.oneof(token, nasty, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));

/**
 * What may stand on the wire as it is: visible ASCII stays (so `%zz`, `..\\` and `%c0%af`
 * arrive as written); anything else is percent-encoded as UTF-8 (a space, NUL, U+202E), so
 * most requests get past the HTTP parser to the router and the app instead of a parser 400.
 */
function onTheWire(text: string): string {
  const encode = (char: string) => {
    try {
      return encodeURIComponent(char);
    } catch {
      return '%ed%a0%80'; // a lone surrogate: what its UTF-8 bytes would be
    }
  };
  return [...text].map((char) => (/^[\x21-\x7e]$/.test(char) ? char : encode(char))).join('');
}

/** Mostly wire-safe, sometimes raw (the parser's own refusals are tested too). */
const piece = fc.oneof({ weight: 4, arbitrary: rawPiece.map(onTheWire) }, { weight: 1, arbitrary: rawPiece });

const pathArb = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.tuple(fc.constantFrom(...PATHS), piece).map(([path, extra]) => `${path}${extra}`),
  fc.array(piece, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  fc.integer({ min: 1, max: 9000 }).map((length) => `/${'a'.repeat(length)}`),
);

const queryArb = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(piece, piece), { maxLength: 6 }).map((pairs) => `?${pairs.map(([k, v]) => `${encodeURI(k)}=${encodeURI(v)}`).join('&')}`),
  fc.tuple(fc.constantFrom('next', 'rd', 'id', 'token', 'lang', 'message', 'q', 'user'), piece).map(([k, v]) => `?${k}=${v}&${k}=${v}`),
  fc.integer({ min: 1, max: 20_000 }).map((length) => `?q=${'x'.repeat(length)}`),
);

const contentTypeArb = fc.constantFrom(
  'application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16',
  'application/json, text/html', 'application/x-www-form-urlencoded; charset=latin1', '', ';', 'application/json\u0000', 'x/'.repeat(200),
);

/** A valid-looking JSON or form body gone wrong in one way. */
const bodyArb = fc.oneof(
  fc.constant(''),
  fc.json({ maxDepth: 4 }),
  fc.integer({ min: 50, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 50, max: 3000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.tuple(piece, piece).map(([a, b]) => `{"username":"${a}","username":"${b}","password":"x","password":1}`),
  fc.tuple(piece, piece).map(([a, b]) => `username=${encodeURI(a)}&username=${encodeURI(b)}&password=${encodeURI(a)}&csrf_token=${encodeURI(b)}`),
  fc.integer({ min: 1, max: 120_000 }).map((length) => `{"username":"${'u'.repeat(length)}","password":"p"}`),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constant('{"__proto__":{"admin":true},"constructor":{"prototype":{"role":"admin"}}}'),
  fc.constant('\xff\xfe\xfd{"a":"\xc3\x28"}'),
);

const headerValueArb = fc.oneof(
  { weight: 8, arbitrary: rawPiece.map(onTheWire) },
  { weight: 1, arbitrary: fc.constantFrom('x\r\nX-Injected: 1', 'x\nSet-Cookie: a=b', '\r\n\r\nGET / HTTP/1.1', '\u00ff\u00fe') },
);

interface FuzzRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: string;
  /** Content-Length: the truth, a lie up or down, absent, or doubled. */
  length: 'true' | 'short' | 'long' | 'none' | 'double' | 'chunked';
  signedIn: boolean;
}

const requestArb: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom(...METHODS),
  target: fc.tuple(pathArb, queryArb).map(([path, query]) => `${path}${query}`),
  headers: fc.array(
    fc.oneof(
      fc.tuple(fc.constant('Content-Type'), contentTypeArb),
      fc.tuple(fc.constantFrom('Origin', 'Referer'), fc.constantFrom('http://evil.test', 'null', '', 'http://127.0.0.1')),
      fc.tuple(fc.constantFrom('X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'Accept-Language', 'Accept', 'X-CSRF-Token', 'User-Agent', 'X-Requested-With'), headerValueArb),
      fc.tuple(fc.constant('Cookie'), fc.array(fc.tuple(token, piece), { maxLength: 60 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('; '))),
      fc.tuple(fc.constant('Cookie'), fc.constantFrom('gatehouse_session=forged', 'gatehouse_session=', 'gatehouse_session=a; gatehouse_session=b', 'lang=xx-YY')),
      fc.tuple(token.map((name) => `X-${name || 'A'}`), headerValueArb),
    ),
    { maxLength: 8 },
  ),
  body: bodyArb,
  length: fc.constantFrom('true', 'true', 'true', 'true', 'true', 'true', 'short', 'long', 'none', 'double', 'chunked', 'chunked'),
  signedIn: fc.boolean(),
});

/** The request as bytes on the wire. */
function serialise(request: FuzzRequest, host: string, sessionCookie: string): Buffer {
  const body = Buffer.from(request.body, 'latin1');
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (request.signedIn) lines.push(`Cookie: ${sessionCookie}`);
  if (request.length === 'true') lines.push(`Content-Length: ${body.length}`);
  if (request.length === 'short') lines.push(`Content-Length: ${Math.max(0, body.length - 3)}`);
  if (request.length === 'long') lines.push(`Content-Length: ${body.length + 7}`);
  if (request.length === 'double') lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
  if (request.length === 'chunked') {
    lines.push('Transfer-Encoding: chunked');
    return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body.length.toString(16)}\r\n`, 'latin1'), body, Buffer.from('\r\n0\r\n\r\n')]);
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** Sends the bytes, half-closes, and reads what comes back until the server closes (or the deadline). */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }, ANSWER_TIMEOUT_MS);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close as soon as it has answered a request it refused (ECONNRESET/EPIPE).
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.end(bytes);
  });
}

/** Stack frames, internal paths and error class names that must never reach a client. */
const LEAKS = [/\n\s+at [\w.<>]+ \(/, /node:internal/, /\/src\/[\w/-]+\.ts/, /node_modules\//, /TypeError|RangeError|SyntaxError: Unexpected/, /SQLITE_|ER_PARSE_ERROR|syntax error at or near/];

describe('HTTP fuzzing: 5 000 hostile requests against a live server', () => {
  let server: TestServer;
  let sessionCookie: string;
  let sessionToken: string;

  before(async () => {
    server = await startTestServer({ SECRET_KEY, REQUEST_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'info' });
    const client = new TestClient(server.url);
    assert.equal((await client.registerAndSignIn('fuzzer', PASSWORD)).status, 303);
    sessionToken = client.cookies.get('gatehouse_session')!;
    assert.ok(sessionToken, 'signed in');
    sessionCookie = `gatehouse_session=${sessionToken}`;
  });

  after(() => server?.stop());

  test(`${RUNS} generated requests: no 5xx, no leak, and the server still works (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const requests = fc.sample(requestArb, { numRuns: RUNS, seed: SEED });
    const port = Number(new URL(server.url).port);
    const host = new URL(server.url).host;
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length && failures.length < 5) {
        const index = next++;
        const request = requests[index]!;
        const answer = await exchange(port, serialise(request, host, sessionCookie));
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 'none';
        // Refused by Node's HTTP parser (no body, no Gatehouse headers) or answered by the app.
        const where = /content-security-policy/i.test(answer) ? 'app' : 'parser';
        statuses.set(`${status} ${where}`, (statuses.get(`${status} ${where}`) ?? 0) + 1);
        const describe = () => `#${index} (seed ${SEED}) ${JSON.stringify(request).slice(0, 400)} → ${answer.slice(0, 300)}`;
        if (status.startsWith('5')) failures.push(`5xx: ${describe()}`);
        for (const leak of LEAKS) if (leak.test(answer)) failures.push(`leak ${leak}: ${describe()}`);
        for (const secret of [SECRET_KEY, sessionToken, PASSWORD]) if (answer.includes(secret)) failures.push(`secret in answer: ${describe()}`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify(Object.fromEntries(statuses)));
    assert.deepEqual(failures, [], `statuses so far: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Most requests are answered (a lying Content-Length may get no answer before the socket closes).
    const count = (where: RegExp) => [...statuses].filter(([key]) => where.test(key)).reduce((sum, [, n]) => sum + n, 0);
    assert.ok(count(/^\d/) >= RUNS * 0.8, `only ${count(/^\d/)} of ${RUNS} answered: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Useful only if many requests get past Node's parser (about half: the rest test its refusals).
    assert.ok(count(/ app$/) >= RUNS * 0.4, `only ${count(/ app$/)} of ${RUNS} reached the app: ${JSON.stringify(Object.fromEntries(statuses))}`);

    const logs = server.logs.join('\n');
    for (const secret of [SECRET_KEY, sessionToken, PASSWORD]) assert.ok(!logs.includes(secret), 'a secret reached the log');
    assert.ok(!/"level":(50|60)/.test(logs) || !/\n\s+at /.test(logs), 'no error-level log line with a stack');

    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const again = new TestClient(server.url);
    await again.get('/login');
    assert.equal((await again.signIn('fuzzer', PASSWORD)).status, 303, 'a normal sign-in still works');
  });
});
