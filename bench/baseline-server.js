/**
 * The baseline of B1/B2/B4: a bare Fastify process with the same Fastify major, the same Node
 * flags and the same logger level as the Gatehouse process it is compared with.
 *
 *   GET /page  the HTML body in BENCH_PAGE_FILE (the harness saves a real /dashboard page
 *              there, so both answers carry the same number of bytes), text/html
 *   GET /json  the JSON object in BENCH_JSON_FILE (a real /api/v1/me answer), serialised by
 *              Fastify's default serializer on every request
 *   GET /forward  200, empty body, with the headers in BENCH_FORWARD_HEADERS_FILE (the
 *              harness saves there the headers of a real "allowed" forward-auth answer:
 *              Remote-*, X-Gatehouse-Jwt, Cache-Control, security headers), the baseline of
 *              B10/B11: a verify answer when nothing is decided
 *
 * No plugins, no hooks, no schema: what a request costs when the application does nothing.
 * Env: PORT, HOST (127.0.0.1), LOG_LEVEL (warn), BENCH_PAGE_FILE, BENCH_JSON_FILE,
 * BENCH_FORWARD_HEADERS_FILE.
 * Diagnostics only (not used by `npm run bench`): BENCH_HEADERS_FILE, a JSON object of
 * headers added to every response (e.g. Gatehouse's security headers), to measure what
 * those headers cost by themselves.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const page = process.env.BENCH_PAGE_FILE ? readFileSync(process.env.BENCH_PAGE_FILE, 'utf8') : '<!doctype html><p>baseline</p>';
const json = process.env.BENCH_JSON_FILE ? JSON.parse(readFileSync(process.env.BENCH_JSON_FILE, 'utf8')) : { ok: true };

const forwardHeaders = process.env.BENCH_FORWARD_HEADERS_FILE ? JSON.parse(readFileSync(process.env.BENCH_FORWARD_HEADERS_FILE, 'utf8')) : {};
const extraHeaders = process.env.BENCH_HEADERS_FILE ? JSON.parse(readFileSync(process.env.BENCH_HEADERS_FILE, 'utf8')) : undefined;

const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
if (extraHeaders) {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(extraHeaders);
    done();
  });
}
app.get('/page', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
app.get('/json', async () => json);
app.get('/forward', async (_request, reply) => reply.code(200).headers(forwardHeaders).send());

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3100);
await app.listen({ host, port });
process.stdout.write(`baseline listening on http://${host}:${port}\n`);

const stop = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
