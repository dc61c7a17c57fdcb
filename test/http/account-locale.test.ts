// Property: an account keeps a language (the page it registered from; `?lang=` while signed
// in changes it), its pages follow it on a browser that never chose one, and mail about the
// account follows the owner's language, not the language of whoever caused it (a new-device
// notice from a sign-in in English goes out in Spanish to a Spanish account).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';

const PASSWORD = 'correct horse battery staple';
let smtp: TestSmtp;
let server: TestServer;
let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
before(async () => ({ server, smtp } = mailed = await startServerWithSmtp()));
after(() => mailed.stop());

test('registered in Spanish: the account is Spanish; a fresh English browser sees its pages in Spanish once signed in; its mail is Spanish', async () => {
  const spanish = new TestClient(server.url);
  await spanish.get('/register?lang=es');
  assert.equal((await spanish.postForm('/register', { username: 'lucia', email: 'lucia@example.test', password: PASSWORD })).status, 303);
  assert.equal((await server.deps.users.findUserByUsername('lucia'))?.locale, 'es');
  await server.mail.runOnce();
  assert.ok(smtp.received.some((m) => JSON.stringify(m.to).includes('lucia@') && /Confirma|confirma/.test(m.subject ?? '')), 'the verification mail is Spanish');

  assert.equal((await spanish.signIn('lucia', PASSWORD)).status, 303, 'first sign-in: this browser becomes known');
  const elsewhere = new TestClient(server.url);
  await elsewhere.get('/login');
  assert.equal((await elsewhere.postForm('/login', { username: 'lucia', password: PASSWORD }, { 'accept-language': 'en' })).status, 303);
  assert.match((await elsewhere.get('/dashboard')).body, /<html lang="es">/, "the account's language, not Accept-Language");
  await server.mail.runOnce();
  const notice = smtp.received.find((m) => JSON.stringify(m.to).includes('lucia@') && /inicio de sesión|sesión/i.test(m.subject ?? ''));
  assert.ok(notice, `the new-device notice is in the owner's language: ${smtp.received.map((m) => m.subject).join(' | ')}`);

  assert.equal((await elsewhere.get('/dashboard?lang=en')).status, 200);
  assert.equal((await server.deps.users.findUserByUsername('lucia'))?.locale, 'en', '?lang= while signed in changes the account');
});
