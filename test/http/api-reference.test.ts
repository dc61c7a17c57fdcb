// Property: the API reference page (GET /api/v1/docs) is served same-origin under the strict
// CSP and complies with it (no inline script, no inline style: v5.0.0-3.4.3), shows every
// operation of the served OpenAPI document with its method, path, limits, responses and a
// curl example, escapes what it prints, and speaks Spanish with ?lang=es.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let doc: any;
before(async () => {
  server = await startTestServer();
  doc = (await new TestClient(server.url).get('/api/v1/openapi.json')).json();
});
after(() => server.stop());

const open = (query = '', headers: Record<string, string> = {}) => new TestClient(server.url).get(`/api/v1/docs${query}`, headers);

/** Inline code the CSP would block: `<script>` without src, `<style>`, any style attribute, on* handlers, javascript: URLs. */
function inlineCode(body: string): string[] {
  const found: string[] = [];
  for (const tag of body.match(/<script\b[^>]*>/gi) ?? []) if (!/\ssrc="\/[^"]*"/.test(tag)) found.push(tag);
  found.push(...(body.match(/<style\b/gi) ?? []));
  found.push(...(body.match(/\sstyle\s*=/gi) ?? []));
  found.push(...(body.match(/\son[a-z]+\s*=/gi) ?? []));
  found.push(...(body.match(/javascript:/gi) ?? []));
  return found;
}

describe('the API reference page', () => {
  test('is HTML under the strict CSP, with no inline script or style', async () => {
    const res = await open();
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.deepEqual(inlineCode(res.body), []);
    for (const src of res.body.match(/(?:src|href)="([^"]+)"/g) ?? []) assert.doesNotMatch(src, /="(https?:)?\/\//, `${src}: same origin only`);
  });

  test('shows every operation of the document: id, method and path, summary, responses and a curl example', async () => {
    const { body } = await open();
    for (const [route, item] of Object.entries(doc.paths) as [string, any][]) {
      for (const [method, op] of Object.entries(item) as [string, any][]) {
        assert.ok(body.includes(`id="${op.operationId}"`), `${op.operationId} has no section`);
        assert.ok(body.includes(`<code>${method.toUpperCase()} ${route}</code>`), `${method} ${route}`);
        assert.ok(body.includes(op.summary), `${op.operationId} summary`);
        assert.ok(body.includes(`<code>${op.operationId}</code>`), `${op.operationId} id`);
        for (const status of Object.keys(op.responses)) assert.match(body, new RegExp(`id="${op.operationId}"[\\s\\S]*?<th scope="row">${status}</th>`), `${op.operationId} ${status}`);
        assert.match(body, new RegExp(`id="${op.operationId}"[\\s\\S]*?curl -sS -b jar.txt -c jar.txt[\\s\\S]*?${route.replaceAll('/', '\\/')}`), `${op.operationId} curl`);
      }
    }
    assert.match(body, /<code>username<\/code>[\s\S]*?3–50 characters/, 'username limits');
    assert.match(body, /<code>password<\/code>[\s\S]*?12–256 characters/, 'password limits');
    assert.match(body, /format: email/);
    assert.match(body, /-H &quot;X-CSRF-Token: \$CSRF&quot;/, 'state-changing examples send the token');
    for (const code of doc.components.schemas.Error.properties.error.enum) assert.ok(body.includes(`<code>${code}</code>`), `error code ${code}`);
  });

  test('escapes the document’s text: backquoted code becomes <code>, nothing else becomes markup', async () => {
    const { body } = await open();
    assert.ok(body.includes('Sends') || body.includes('Envía'));
    assert.match(body, /<code>X-CSRF-Token<\/code>/);
    assert.doesNotMatch(body, /`/, 'no raw backquote left');
  });

  test('speaks Spanish with ?lang=es (and by Accept-Language); the document’s codes stay', async () => {
    for (const res of [await open('?lang=es'), await open('', { 'accept-language': 'es-ES,es;q=0.9' })]) {
      assert.equal(res.status, 200);
      assert.match(res.body, /<html lang="es">/);
      assert.match(res.body, /<h1>Referencia de la API<\/h1>/);
      assert.match(res.body, /de 3 a 50 caracteres/);
      assert.match(res.body, /Ejemplo con curl/);
      assert.match(res.body, /<code>csrf_failed<\/code>/);
      assert.doesNotMatch(res.body, /API reference|Example with curl/);
      assert.match(res.body, /<code>POST \/api\/v1\/login<\/code> · Iniciar sesión<\/h3>/, 'operation summaries in Spanish');
      assert.doesNotMatch(res.body, /· (Sign in|Create an account|Get the signed-in user)</);
    }
    const en = await open('?lang=en');
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /<h1>API reference<\/h1>/);
  });

  test('the English summaries of the catalog are those of the document, so neither drifts', async () => {
    const { CATALOGS } = await import('../../src/messages/catalog.ts');
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string; summary: string }>> };
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    assert.ok(operations.length >= 5);
    for (const operation of operations) {
      assert.equal(CATALOGS.en[`apiref.summary.${operation.operationId}` as keyof typeof CATALOGS.en], operation.summary, operation.operationId);
    }
  });
});
