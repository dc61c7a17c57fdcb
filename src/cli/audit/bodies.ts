/**
 * Oversized and malformed bodies (ASVS v5.0.0-4.2.x): a 2 MiB form or JSON body, broken JSON,
 * a wrong Content-Type, a bad percent-encoding, a lying Content-Length and a broken chunk are
 * answered 413, 400 or 415 (or the connection closed), never 5xx, never a stack trace.
 */
import { rawRequest } from './client.ts';
import type { AuditResponse } from './client.ts';
import { fail, pass, type Probe, STACK } from './probe.ts';

const BIG = 2 * 1024 * 1024;

function refused(status: number): boolean {
  return status === 400 || status === 413 || status === 415 || status === 403 || status === 401 || status === 422;
}

const oversized: Probe = {
  id: 'bodies.oversized',
  family: 'bodies',
  async run(ctx) {
    const seen: string[] = [];
    const client = ctx.client();
    await client.get('/login');
    const attempts: Array<[string, () => Promise<AuditResponse>]> = [
      ['POST /login (2 MiB form)', () => client.post('/login', { username: 'a'.repeat(BIG), password: 'x' })],
      ['POST /api/v1/login (2 MiB JSON)', () => client.request('POST', '/api/v1/login', { json: { username: 'a'.repeat(BIG), password: 'x' } })],
    ];
    for (const [label, send] of attempts) {
      let response: AuditResponse;
      try {
        response = await send();
      } catch {
        seen.push(`${label} → connection closed`);
        continue;
      }
      if (response.status !== 413 && response.status !== 400) return fail(`${label} → ${response.status} (expected 413 or 400)`);
      seen.push(`${label} → ${response.status}`);
    }
    return pass(seen.join('; '));
  },
};

const malformed: Probe = {
  id: 'bodies.malformed',
  family: 'bodies',
  async run(ctx) {
    const client = ctx.client();
    await client.get('/login');
    await client.get('/api/v1/csrf');
    const token = client.csrf ?? '';
    const api = { 'x-csrf-token': client.apiCsrf ?? '' };
    const cases: Array<[string, () => Promise<AuditResponse>]> = [
      ['POST /api/v1/login {"username":', () => client.request('POST', '/api/v1/login', { body: '{"username":', headers: { 'content-type': 'application/json', ...api } })],
      ['POST /api/v1/login [1,2] as JSON', () => client.request('POST', '/api/v1/login', { body: '[1,2]', headers: { 'content-type': 'application/json', ...api } })],
      ['POST /api/v1/login text/plain', () => client.request('POST', '/api/v1/login', { body: 'username=a', headers: { 'content-type': 'text/plain', ...api } })],
      ['POST /login %zz in the form', () => client.request('POST', '/login', { body: `csrf_token=${encodeURIComponent(token)}&username=%zz&password=%`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
      ['POST /login multipart/form-data', () => client.request('POST', '/login', { body: '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\na\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } })],
    ];
    const seen: string[] = [];
    for (const [label, send] of cases) {
      const response = await send();
      if (response.status >= 500 || STACK.test(response.body) || !refused(response.status)) return fail(`${label} → ${response.status}${STACK.test(response.body) ? ' with a stack trace' : ''} (expected 400/415)`);
      seen.push(`${response.status}`);
    }
    const raw: Array<[string, string]> = [
      ['Content-Length: 100 with 5 bytes', 'POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\nConnection: close\r\n\r\nuser='],
      ['a broken chunk', 'POST /api/v1/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
      ['Content-Length: abc', 'POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\nConnection: close\r\n\r\n'],
    ];
    for (const [label, bytes] of raw) {
      const answer = await rawRequest(ctx.base, bytes);
      if (answer.status !== null && answer.status >= 500) return fail(`raw POST with ${label} → ${answer.status}`);
      seen.push(answer.status === null ? 'closed' : `${answer.status}`);
    }
    return pass(`broken JSON, a JSON array, text/plain, bad %-encoding, multipart, a lying Content-Length, a broken chunk, Content-Length: abc → ${seen.join(', ')}`);
  },
};

export const bodyProbes: Probe[] = [oversized, malformed];
