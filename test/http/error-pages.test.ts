// Property: an error raised before cookies are parsed (the request-rate limiter runs first)
// still gets Gatehouse's own error page with its message and Retry-After — not Fastify's
// fallback answer, whose message would name an internal failure.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ GLOBAL_RATE_LIMIT: '2' });
});
after(() => server?.stop());

test('the 429 of the request-rate limiter is our HTML page, even with a flash cookie present', async () => {
  const get = () => fetch(`${server.url}/`, { headers: { cookie: 'gatehouse_flash=registered.forged' } });
  assert.equal((await get()).status, 200);
  assert.equal((await get()).status, 200);
  const limited = await get();
  const body = await limited.text();
  assert.equal(limited.status, 429);
  assert.match(limited.headers.get('content-type') ?? '', /^text\/html/);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  assert.match(body, /Too many attempts/);
  assert.doesNotMatch(body, /Cannot read|TypeError|statusCode/);
});
