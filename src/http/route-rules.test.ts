// Property: a route that does not declare its access rule (and, when it changes state, its CSRF stance) stops start-up; declared rules are enforced per route; a known path asked with another method is 405 with Allow (v5.0.0-8.1.1, v5.0.0-8.2.1, v5.0.0-3.5.1, v5.0.0-13.4.4).
import assert from 'node:assert/strict';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyError, type FastifyInstance, type InjectOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError, type ErrorCode } from '../domain/errors.ts';
import type { Session } from '../domain/sessions/session.ts';
import type { User } from '../domain/users/user.ts';
import { csrfTokenFor } from './plugins/csrf.ts';
import routeRules, { refuseWrongMethod } from './route-rules.ts';
import { staticRoute } from './static-route.ts';

const KEY = Buffer.alloc(32, 7);
const ORIGIN = 'http://gatehouse.test';
const SESSION_TOKEN = 'a'.repeat(43);
const STATUS: Partial<Record<ErrorCode, number>> = { unauthenticated: 401, forbidden: 403, csrf_failed: 403, not_found: 404, method_not_allowed: 405 };

function user(id: number, role: User['role']): User {
  return { id, username: `u${id}`, email: `u${id}@example.test`, role, disabled: false, mustChangePassword: false, credentialVersion: 1, createdAt: new Date(0) } as User;
}
const USERS: Record<string, User> = { plain: user(1, 'user'), admin: user(2, 'admin') };

/** Stands in for plugins/session.ts: `x-test-user` names the signed-in user, `x-test-session` the token. */
const fakeSession = fp(
  async function fakeSession(app: FastifyInstance) {
    app.decorateRequest('auth', null);
    app.decorateRequest('sessionToken', null);
    app.addHook('onRequest', async function loadFakeSession(request) {
      const name = request.headers['x-test-user'];
      const token = request.headers['x-test-session'];
      if (typeof token === 'string') request.sessionToken = token;
      if (typeof name === 'string' && USERS[name]) request.auth = { session: {} as Session, user: USERS[name] };
    });
  },
  { name: 'session' },
);

async function buildApp(routes: (app: FastifyInstance) => void | Promise<void>) {
  const app = Fastify();
  app.setErrorHandler(async function handleError(error: FastifyError, _request, reply) {
    if (!(error instanceof AuthError)) throw error;
    return reply.code(STATUS[error.code] ?? 500).send({ error: error.code });
  });
  app.setNotFoundHandler(async function notFound(request, reply) {
    refuseWrongMethod(request, reply);
    return reply.code(404).send({ error: 'not_found' });
  });
  await app.register(fakeSession);
  await app.register(routeRules, { csrf: { key: KEY, origin: ORIGIN }, sudo: { seconds: 600, now: () => Date.now(), origin: ORIGIN } });
  await app.register(async function routePlugin(child) {
    await routes(child);
  });
  return app;
}

const ok = async () => ({ secret: 'handler ran' });

/** What `listen()` does first: build every plugin, then `ready()`. Rejects when a route is refused. */
async function start(routes: (app: FastifyInstance) => void | Promise<void>) {
  const app = await buildApp(routes);
  await app.ready();
  return app;
}

describe('start-up refuses undeclared routes', () => {
  test('a route without an access rule: start-up rejects naming its method and URL', async () => {
    await assert.rejects(start((r) => {
      r.get('/declared', { config: { access: 'public' } }, ok);
      r.get('/naked', ok);
    }), /GET \/naked declares no access rule/);
  });

  test('an access rule that is not one of the three shapes is refused', async () => {
    await assert.rejects(start((r) => {
      r.get('/typo', { config: { access: 'signed_in' as 'signed-in' } }, ok);
    }), /GET \/typo: config\.access "signed_in"/);
  });

  test('a POST without a CSRF stance: start-up rejects naming it', async () => {
    await assert.rejects(start((r) => {
      r.post('/submit', { config: { access: 'signed-in' } }, ok);
    }), /POST \/submit changes state but declares no CSRF stance/);
  });

  test('PUT, PATCH and DELETE need a stance too', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      await assert.rejects(start((r) => {
        r.route({ method, url: '/thing', config: { access: 'public' }, handler: ok });
      }), new RegExp(`${method} /thing changes state`), method);
    }
  });

  test('an unknown permission: start-up rejects naming the route and the permission', async () => {
    await assert.rejects(start((r) => {
      r.get('/admin/x', { config: { access: { permission: 'users:delete-all' as 'users:read' } } }, ok);
    }), /GET \/admin\/x names an unknown permission "users:delete-all"/);
  });

  test("a safe method declaring csrf 'required' is refused (a GET must not change state)", async () => {
    await assert.rejects(start((r) => {
      r.get('/confused', { config: { access: 'public', csrf: 'required' } }, ok);
    }), /GET \/confused: csrf 'required' is meaningless/);
  });

  test('one route mixing GET and POST is refused', async () => {
    await assert.rejects(start((r) => {
      r.route({ method: ['GET', 'POST'], url: '/both', config: { access: 'public', csrf: 'required' }, handler: ok });
    }), /GET,POST \/both mixes safe and state-changing methods/);
  });

  test('declared routes start, and each (method, url) is recorded with its rule, HEAD included', async () => {
    const app = await buildApp((r) => {
      r.get('/a', { config: { access: 'signed-in' } }, ok);
      r.post('/a', { config: { access: 'public', csrf: 'exempt' } }, ok);
    });
    await app.ready();
    const rows = app.declaredRoutes.map((route) => `${route.method} ${route.url} ${JSON.stringify(route.access)} ${route.csrf}`);
    assert.deepEqual(rows.sort(), ['GET /a "signed-in" undefined', 'HEAD /a "signed-in" undefined', 'POST /a "public" exempt']);
    await app.close();
  });
});

describe('declared rules are enforced', () => {
  let app: FastifyInstance;
  let handlerRuns = 0;
  const counted = async () => {
    handlerRuns += 1;
    return { secret: 'handler ran' };
  };
  before(async () => {
    app = await buildApp((r) => {
      r.get('/open', { config: { access: 'public' } }, counted);
      r.get('/dashboard', { config: { access: 'signed-in' } }, counted);
      r.get('/api/v1/me', { config: { access: 'signed-in' } }, counted);
      r.get('/admin/users', { config: { access: { permission: 'users:read' } } }, counted);
      r.get('/api/v1/admin/users', { config: { access: { permission: 'users:read' } } }, counted);
      r.post('/api/v1/token', { config: { access: 'public', csrf: 'exempt' } }, counted);
      r.post('/settings/thing', { config: { access: 'signed-in', csrf: 'required' } }, counted);
      r.post('/login', { config: { access: 'public', csrf: 'required' } }, counted);
      r.get('/login', { config: { access: 'public' } }, counted);
      r.get('/users/:id', { config: { access: 'public' } }, counted);
      r.options('/preflight', { config: { access: 'public' } }, counted);
      r.get('/preflight', { config: { access: 'public' } }, counted);
      r.get('/no-head', { exposeHeadRoute: false, config: { access: 'public' } }, counted);
      r.register(async function prefixedApi(api) {
        api.get('/me', { config: { access: 'signed-in' } }, counted);
      }, { prefix: '/api/v2' });
    });
    await app.ready();
  });
  after(() => app.close());

  async function refusedWithoutRunning(request: InjectOptions) {
    const before = handlerRuns;
    const res = await app.inject(request);
    assert.equal(handlerRuns, before, 'the handler must not run');
    assert.doesNotMatch(res.body, /handler ran/);
    return res;
  }

  test('public: anyone reaches the handler', async () => {
    assert.equal((await app.inject({ url: '/open' })).statusCode, 200);
  });

  test('signed-in page, anonymous: 303 to /login with next = the encoded path and query', async () => {
    const res = await refusedWithoutRunning({ url: '/dashboard?tab=a&b=%2F' });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent('/dashboard?tab=a&b=%2F')}`);
  });

  test('signed-in page, HEAD (the route Fastify adds) is guarded the same way', async () => {
    const res = await refusedWithoutRunning({ method: 'HEAD', url: '/dashboard' });
    assert.equal(res.statusCode, 303);
  });

  test('signed-in page, signed in: the handler runs', async () => {
    const res = await app.inject({ url: '/dashboard', headers: { 'x-test-user': 'plain' } });
    assert.equal(res.statusCode, 200);
  });

  test('signed-in API route, anonymous: 401 unauthenticated JSON, no redirect', async () => {
    const res = await refusedWithoutRunning({ url: '/api/v1/me' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers.location, undefined);
    assert.deepEqual(res.json(), { error: 'unauthenticated' });
  });

  test('an API route registered under a prefix is an API route too: 401, not a redirect', async () => {
    const res = await refusedWithoutRunning({ url: '/api/v2/me' });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { error: 'unauthenticated' });
  });

  test('permission route: anonymous page 303, anonymous API 401', async () => {
    assert.equal((await refusedWithoutRunning({ url: '/admin/users' })).statusCode, 303);
    assert.equal((await refusedWithoutRunning({ url: '/api/v1/admin/users' })).statusCode, 401);
  });

  test('permission route: a plain user gets 403 and no data; an admin gets 200', async () => {
    for (const url of ['/admin/users', '/api/v1/admin/users']) {
      const refused = await refusedWithoutRunning({ url, headers: { 'x-test-user': 'plain' } });
      assert.equal(refused.statusCode, 403, url);
      assert.deepEqual(refused.json(), { error: 'forbidden' });
      const allowed = await app.inject({ url, headers: { 'x-test-user': 'admin' } });
      assert.equal(allowed.statusCode, 200, url);
      assert.deepEqual(allowed.json(), { secret: 'handler ran' });
    }
  });

  test("csrf 'exempt': a POST without any token reaches the handler", async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/token', payload: { grant_type: 'x' } });
    assert.equal(res.statusCode, 200);
  });

  test("csrf 'required': a POST without a token is 403 and the handler does not run", async () => {
    const res = await refusedWithoutRunning({
      method: 'POST',
      url: '/settings/thing',
      headers: { 'x-test-user': 'plain', 'x-test-session': SESSION_TOKEN },
      payload: { a: 1 },
    });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { error: 'csrf_failed' });
  });

  test("csrf 'required': a token for another session, or a foreign Origin, is 403", async () => {
    const headers = { 'x-test-user': 'plain', 'x-test-session': SESSION_TOKEN };
    const otherToken = csrfTokenFor(KEY, 'b'.repeat(43));
    const wrong = await refusedWithoutRunning({ method: 'POST', url: '/settings/thing', headers: { ...headers, 'x-csrf-token': otherToken } });
    assert.equal(wrong.statusCode, 403);
    const foreign = await refusedWithoutRunning({
      method: 'POST',
      url: '/settings/thing',
      headers: { ...headers, 'x-csrf-token': csrfTokenFor(KEY, SESSION_TOKEN), origin: 'https://evil.test' },
    });
    assert.equal(foreign.statusCode, 403);
  });

  test("csrf 'required': the session's own token passes (header or form field), on a public route too", async () => {
    const token = csrfTokenFor(KEY, SESSION_TOKEN);
    const headers = { 'x-test-user': 'plain', 'x-test-session': SESSION_TOKEN };
    assert.equal((await app.inject({ method: 'POST', url: '/settings/thing', headers: { ...headers, 'x-csrf-token': token } })).statusCode, 200);
    const form = await app.inject({ method: 'POST', url: '/login', headers: { 'x-test-session': SESSION_TOKEN }, payload: { csrf_token: token } });
    assert.equal(form.statusCode, 200);
    assert.equal((await refusedWithoutRunning({ method: 'POST', url: '/login' })).statusCode, 403);
  });

  test('signed-in POST, anonymous: the access rule answers first (303), before CSRF or the body', async () => {
    const res = await refusedWithoutRunning({ method: 'POST', url: '/settings/thing', payload: { a: 1 } });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/login?next=%2Fsettings%2Fthing');
  });

  test('a known path with another method: 405 with Allow (HEAD with GET), JSON code method_not_allowed', async () => {
    const res = await refusedWithoutRunning({ method: 'DELETE', url: '/login?x=1' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, POST');
    assert.deepEqual(res.json(), { error: 'method_not_allowed' });
  });

  test('405 for parametric paths too; OPTIONS is listed only where registered', async () => {
    const param = await refusedWithoutRunning({ method: 'PUT', url: '/users/42' });
    assert.equal(param.statusCode, 405);
    assert.equal(param.headers.allow, 'GET, HEAD');
    const withOptions = await refusedWithoutRunning({ method: 'POST', url: '/preflight' });
    assert.equal(withOptions.headers.allow, 'GET, HEAD, OPTIONS');
    const noHead = await refusedWithoutRunning({ method: 'HEAD', url: '/no-head' });
    assert.equal(noHead.statusCode, 405, 'Allow lists only what is served');
    assert.equal(noHead.headers.allow, 'GET');
    const post = await refusedWithoutRunning({ method: 'GET', url: '/api/v1/token' });
    assert.equal(post.statusCode, 405);
    assert.equal(post.headers.allow, 'POST');
  });

  test('an unknown path is 404 whatever the method, with no Allow', async () => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/nowhere' });
      assert.equal(res.statusCode, 404, method);
      assert.equal(res.headers.allow, undefined);
    }
    assert.equal((await app.inject({ url: '/login/' })).statusCode, 404);
  });
});

describe('static assets as one declared public route', () => {
  let app: FastifyInstance;
  let dir: string;
  const js = 'console.log("meter");\n'.repeat(50);
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-static-'));
    const root = path.join(dir, 'public');
    mkdirSync(path.join(root, 'nested'), { recursive: true });
    writeFileSync(path.join(root, 'app.js'), js);
    writeFileSync(path.join(root, 'app.js.br'), brotliCompressSync(js));
    writeFileSync(path.join(root, 'app.js.gz'), gzipSync(js));
    writeFileSync(path.join(root, 'nested', 'styles.css'), 'body{}');
    writeFileSync(path.join(root, '.env'), 'SECRET_KEY=dotfile');
    writeFileSync(path.join(dir, 'outside.txt'), 'outside the root');
    app = await buildApp(async (r) => {
      await r.register(staticRoute, { root });
    });
    await app.ready();
    writeFileSync(path.join(root, 'late.js'), 'added after start');
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('brotli and gzip siblings are served with their Content-Encoding; plain otherwise', async () => {
    const br = await app.inject({ url: '/static/app.js?v=1', headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(br.statusCode, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers['content-type']), /^(application|text)\/javascript/);
    assert.match(String(br.headers.vary), /accept-encoding/i);
    assert.deepEqual(br.rawPayload, brotliCompressSync(js));
    const gz = await app.inject({ url: '/static/app.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gz.rawPayload, gzipSync(js));
    const plain = await app.inject({ url: '/static/app.js', headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, js);
  });

  test('cached a year as immutable; HEAD answers too; nested files are served', async () => {
    const res = await app.inject({ url: '/static/nested/styles.css' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await app.inject({ method: 'HEAD', url: '/static/app.js' })).statusCode, 200);
  });

  test('paths outside public/, dotfiles, unknown and later-added files are 404 and show nothing', async () => {
    for (const url of ['/static/../outside.txt', '/static/..%2Foutside.txt', '/static/nested/..%2F..%2Foutside.txt', '/static/.env', '/static/missing.js', '/static/late.js', '/static/']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /outside the root|dotfile|added after start/, url);
    }
  });

  test('a state-changing method on an asset is 405 with Allow: GET, HEAD', async () => {
    const res = await app.inject({ method: 'POST', url: '/static/app.js' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
  });
});
