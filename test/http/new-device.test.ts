// Property (issue #10; ASVS v5.0.0-6.3.5 in spirit: tell the user about a sign-in they may
// not have made): a sign-in from a browser the account has not used before sends one notice
// to the account's address, with time, IP, device, a link to the sessions page and a
// "this wasn't me" link; the account's first sign-in and later ones from a known browser
// send nothing. Browsers are known by a random HttpOnly `gatehouse_device` cookie, stored
// per account only as a hash.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import { startServerWithSmtp, type TestSmtp } from '../helpers/smtp.ts';

const PASSWORD = 'correct horse battery staple';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

let smtp: TestSmtp;
let server: TestServer;
let mailed: Awaited<ReturnType<typeof startServerWithSmtp>>;
before(async () => ({ server, smtp } = mailed = await startServerWithSmtp()));
after(() => mailed.stop());

async function signInAs(client: TestClient, username: string, userAgent = 'node-test') {
  // Already signed in, /login redirects: the form token then comes from the dashboard.
  if ((await client.get('/login')).status === 303) await client.get('/dashboard');
  return client.postForm('/login', { username, password: PASSWORD }, { 'user-agent': userAgent });
}

const noticesTo = (address: string) => smtp.received.filter((m) => m.subject?.startsWith('New sign-in') && JSON.stringify(m.to).includes(address));

test('first sign-in and a known browser send nothing; a new browser sends one notice with its details and both links', async () => {
  const laptop = new TestClient(server.url);
  await laptop.get('/register');
  assert.equal((await laptop.postForm('/register', { username: 'traveller', email: 'traveller@example.test', password: PASSWORD })).status, 303);
  const first = await signInAs(laptop, 'traveller');
  assert.equal(first.status, 303);
  const device = first.setCookies.find((c) => c.startsWith('gatehouse_device='));
  assert.ok(device, 'the browser gets a device cookie');
  assert.match(device, /HttpOnly/i);
  assert.match(device, /SameSite=Lax/i);
  assert.match(device, /Max-Age=34560000/);
  assert.doesNotMatch(device.split('=')[0]!, /session/);
  await server.mail.runOnce();
  assert.equal(noticesTo('traveller@example.test').length, 0, 'no notice for the first sign-in');

  assert.equal((await signInAs(laptop, 'traveller')).status, 303);
  await server.mail.runOnce();
  assert.equal(noticesTo('traveller@example.test').length, 0, 'no notice for a known browser');

  const stranger = new TestClient(server.url);
  assert.equal((await signInAs(stranger, 'traveller', FIREFOX)).status, 303);
  await server.mail.runOnce();
  const [notice] = noticesTo('traveller@example.test');
  assert.ok(notice, 'a new browser is told about');
  assert.match(notice.text ?? '', /IP address: 127\.0\.0\.1/);
  assert.match(notice.text ?? '', /Firefox 133 \/ Windows/);
  assert.match(notice.text ?? '', new RegExp(`${server.url}/settings/sessions`));
  assert.match(String(notice.html), /href="http:\/\/127\.0\.0\.1:\d+\/secure-account\?token=[A-Za-z0-9_-]{43}"/);
  assert.equal(noticesTo('traveller@example.test').length, 1);

  const rows = await server.deps.database.db.selectFrom('known_devices').selectAll().execute();
  const cookieValue = device.split(';')[0]!.split('=')[1]!;
  assert.equal(rows.length, 2);
  for (const row of rows) assert.notEqual(row.device_hash, cookieValue, 'only a hash is stored');
});
