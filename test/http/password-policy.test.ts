// Property: the password policy holds at the HTTP boundary (NIST SP 800-63B §5.1.1.2, ASVS
// 2.1). Common, sequential, guessable passwords and ones containing the username or the
// email's name are refused with 400 — a plain-language reason on the page, stable codes in
// `problems` on the API — and nothing is stored. Long Unicode passphrases are accepted and
// used whole (no truncation at 72 bytes); an oversized password is a 400/413, never a 500.
// PASSWORD_REQUIRE_CLASSES=1 turns composition rules on. The register page loads the
// strength meter as a versioned, immutable static asset configured with the server's policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASSWORD_PROBLEM_CODES } from '../../src/domain/passwords/policy.ts';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The texts of the form's error list, entities decoded. */
function pageErrors(body: string): string[] {
  // The summary's entries (each a link to its field, or plain text for the whole form).
  const list = /<div class="errors" role="alert"[^>]*>[\s\S]*?<ul>([\s\S]*?)<\/ul>\s*<\/div>/.exec(body)?.[1] ?? '';
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, '')).map((text) =>
    text.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
  );
}

interface Problem {
  field: string;
  code: string;
  message: string;
}

async function registerPage(server: TestServer, username: string, email: string, password: string): Promise<TestResponse> {
  const client = new TestClient(server.url);
  await client.get('/register');
  return client.postForm('/register', { username, email, password });
}

function registerApi(server: TestServer, username: string, email: string, password: string): Promise<TestResponse> {
  return new TestClient(server.url).postJson('/api/v1/register', { username, email, password });
}

async function assertNotStored(server: TestServer, username: string) {
  assert.equal(await server.deps.users.findUserByUsername(username), undefined, `${username} was stored`);
}

describe('password policy at registration (defaults: PASSWORD_MIN_LENGTH=12)', () => {
  let server: TestServer;
  let n = 0;
  const fresh = (stem: string) => `${stem}${++n}`;

  before(async () => {
    server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
  });
  after(() => server.stop());

  // Each password, who it is for, the codes of which at least one must be reported, and the
  // words the plain-language reason must use.
  const refused: Array<{ label: string; password: (u: string, e: string) => string; user?: string; email?: string; codes: string[]; reason: RegExp }> = [
    { label: 'password123', password: () => 'password123', codes: ['password_too_short', 'password_common'], reason: /at least 12|commonly used/ },
    { label: '123456789012', password: () => '123456789012', codes: ['password_common', 'password_sequential'], reason: /commonly used|sequence/ },
    { label: 'qwertyuiop12', password: () => 'qwertyuiop12', codes: ['password_common', 'password_sequential', 'password_too_weak'], reason: /commonly used|sequence|too easy to guess/ },
    { label: 'admin1234567', password: () => 'admin1234567', codes: ['password_common', 'password_too_weak'], reason: /commonly used|too easy to guess/ },
    { label: 'the username itself', user: 'marmalade-octopus', password: (u) => u, codes: ['password_contains_username'], reason: /username/ },
    { label: 'the username, capitalised, with a suffix', user: 'lantern-harbour', password: () => 'Lantern-Harbour-1987', codes: ['password_contains_username'], reason: /username/ },
    { label: 'the email local part', email: 'zebraquartzviolin@example.test', password: () => 'zebraquartzviolin wins 42', codes: ['password_contains_email'], reason: /email/ },
  ];

  for (const item of refused) {
    test(`refuses ${item.label}: 400 with a plain-language reason on the page, stable codes on the API, nothing stored`, async () => {
      const pageUser = item.user ?? fresh('policypage');
      const pageEmail = item.email ?? `${pageUser}@example.test`;
      const page = await registerPage(server, pageUser, pageEmail, item.password(pageUser, pageEmail));
      assert.equal(page.status, 400, page.body.slice(0, 300));
      const reasons = pageErrors(page.body);
      assert.ok(reasons.length > 0, 'the page lists the reasons');
      assert.ok(reasons.some((text) => item.reason.test(text)), `reasons: ${JSON.stringify(reasons)}`);
      for (const text of reasons) {
        assert.doesNotMatch(text, /password_[a-z_]+/, 'plain language, not codes');
        assert.match(text, /^[A-Z].*\.$/s, `a sentence: ${text}`);
      }
      assert.match(page.body, new RegExp(`value="${pageUser}"`), 'the form keeps the username');
      assert.doesNotMatch(page.body, /name="password"[^>]*value="[^"]/, 'the password is not echoed');
      await assertNotStored(server, pageUser);

      // The API: another name when the rule does not depend on it, the same one otherwise.
      const apiUser = item.user ?? fresh('policyapi');
      const apiEmail = item.email ? item.email.replace('@', '@api.') : `${apiUser}@example.test`;
      const api = await registerApi(server, apiUser, apiEmail, item.password(apiUser, apiEmail));
      assert.equal(api.status, 400, api.body);
      const body = api.json<{ error: string; message: string; problems: Problem[] }>();
      assert.equal(body.error, 'invalid_input');
      assert.ok(Array.isArray(body.problems) && body.problems.length > 0);
      for (const problem of body.problems) {
        assert.equal(problem.field, 'password');
        assert.ok((PASSWORD_PROBLEM_CODES as readonly string[]).includes(problem.code), `stable code: ${problem.code}`);
        assert.ok(problem.message.length > 20);
      }
      const codes = body.problems.map((p) => p.code);
      assert.ok(item.codes.some((code) => codes.includes(code)), `codes ${JSON.stringify(codes)} include one of ${JSON.stringify(item.codes)}`);
      assert.ok(body.problems.some((p) => item.reason.test(p.message)));
      await assertNotStored(server, apiUser);
    });
  }

  test('the page and the API give the same reasons for the same password', async () => {
    const page = pageErrors((await registerPage(server, fresh('same'), 'same-page@example.test', 'password123')).body);
    const api = (await registerApi(server, fresh('same'), 'same-api@example.test', 'password123')).json<{ problems: Problem[] }>();
    assert.deepEqual(page, api.problems.map((p) => p.message));
  });

  const passphrase = (length: number) => {
    const source =
      'Ёлка сияет над тихой рекой · 雪が静かに降る夜に狐が歩く · el niño canta bajo la lluvia — Grüße aus Köln, øst for Ærø 🦊🌲🕯️ ' +
      'Σήμερα ο ουρανός είναι γαλάζιος · 오늘 밤 별이 빛난다 · मेरा घोड़ा नदी के पार है · צב ירוק שוחה לאט';
    const text = [...source].slice(0, length).join('');
    assert.equal([...text].length, length);
    assert.equal(text.normalize('NFKC'), text, 'NFKC-stable, so its length is what the policy counts');
    return text;
  };

  for (const length of [64, 128]) {
    test(`a ${length}-character Unicode passphrase is accepted and signs in`, async () => {
      const username = fresh('unicode');
      const password = passphrase(length);
      const registered = await registerApi(server, username, `${username}@example.test`, password);
      assert.equal(registered.status, 201, registered.body);
      const client = new TestClient(server.url);
      await client.get('/login');
      const signIn = await client.postForm('/login', { username, password });
      assert.equal(signIn.status, 303);
      assert.equal(signIn.location, '/dashboard');
      const apiSignIn = await new TestClient(server.url).postJson('/api/v1/login', { username, password });
      assert.equal(apiSignIn.status, 200);
    });
  }

  test('a password longer than 72 bytes is used whole: a different tail does not sign in', async () => {
    const cases = [
      // 80 ASCII bytes of shared prefix.
      'correct horse battery staple, then some more words to pass seventy-two bytes ok ',
      // 40 two-byte characters (80 bytes) of shared prefix.
      'äöüßéèêëïîôœùûçñåøæ'.repeat(3).slice(0, 40),
    ];
    for (const prefix of cases) {
      assert.ok(Buffer.byteLength(prefix) >= 80);
      const username = fresh('longpw');
      const registered = await registerApi(server, username, `${username}@example.test`, `${prefix}tail number one`);
      assert.equal(registered.status, 201, registered.body);
      const client = new TestClient(server.url);
      await client.get('/login');
      const wrongTail = await client.postForm('/login', { username, password: `${prefix}tail number two` });
      assert.equal(wrongTail.status, 401, 'only the tail differs: refused');
      const noTail = await client.postForm('/login', { username, password: prefix });
      assert.equal(noTail.status, 401, 'the prefix alone: refused');
      const right = await client.postForm('/login', { username, password: `${prefix}tail number one` });
      assert.equal(right.status, 303, 'the whole password signs in');
    }
  });

  test('a password over 256 characters is refused (password_too_long), never truncated and accepted', async () => {
    const username = fresh('toolong');
    const api = await registerApi(server, username, `${username}@example.test`, `${GOOD_PASSWORD} `.repeat(10));
    assert.equal(api.status, 400, api.body);
    assert.deepEqual(api.json<{ problems: Problem[] }>().problems.map((p) => p.code), ['password_too_long']);
    await assertNotStored(server, username);
  });

  test('a 100 000-character password is a 400 or 413, not a 500, on every route that takes one', async () => {
    const huge = 'x7Q'.repeat(33_334).slice(0, 100_000);
    const username = fresh('huge');
    const responses: Array<[string, TestResponse]> = [
      ['page register', await registerPage(server, username, `${username}@example.test`, huge)],
      ['API register', await registerApi(server, username, `${username}@example.test`, huge)],
    ];
    const client = new TestClient(server.url);
    await client.get('/login');
    responses.push(['page login', await client.postForm('/login', { username: 'nobody', password: huge })]);
    responses.push(['API login', await client.postJson('/api/v1/login', { username: 'nobody', password: huge })]);
    for (const [label, response] of responses) {
      assert.ok([400, 413].includes(response.status), `${label}: ${response.status}`);
      if (label.startsWith('API')) assert.ok(['invalid_input', 'payload_too_large'].includes(response.json().error), `${label}: ${response.body}`);
      assert.ok(!response.body.includes(huge.slice(0, 200)), `${label}: the password is not echoed`);
    }
    await assertNotStored(server, username);
    assert.equal((await client.get('/healthz')).status, 200);
  });

  test('the register page loads the strength meter: versioned URL, long-lived immutable caching, the policy minimum', async () => {
    const page = await new TestClient(server.url).get('/register');
    const src = /<script src="(\/static\/strength-meter\.js\?v=[0-9a-f]{8,})"[^>]*><\/script>/.exec(page.body)?.[1];
    assert.ok(src, 'the strength meter script is on the page');
    assert.match(page.body, /<meter id="password-strength"[^>]*data-min-length="12"/);
    assert.match(page.body, /data-require-classes="0"/);

    const asset = await new TestClient(server.url).get(src);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    const cacheControl = asset.headers.get('cache-control') ?? '';
    assert.match(cacheControl, /\bimmutable\b/);
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
    assert.ok(maxAge >= 30 * 86_400, `long-lived: ${cacheControl}`);
    assert.ok(asset.body.length > 100, 'the script has content');
  });
});

describe('PASSWORD_REQUIRE_CLASSES=1 and PASSWORD_MIN_LENGTH=16', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ PASSWORD_REQUIRE_CLASSES: '1', PASSWORD_MIN_LENGTH: '16' });
  });
  after(() => server.stop());

  test('refuses "correct horse battery staple" for its missing classes (page and API)', async () => {
    const page = await registerPage(server, 'classless', 'classless@example.test', GOOD_PASSWORD);
    assert.equal(page.status, 400);
    assert.ok(pageErrors(page.body).some((text) => /uppercase letter/.test(text) && /digit/.test(text)), page.body);
    const api = await registerApi(server, 'classless2', 'classless2@example.test', GOOD_PASSWORD);
    assert.equal(api.status, 400);
    assert.ok(api.json<{ problems: Problem[] }>().problems.some((p) => p.code === 'password_missing_classes'));
    await assertNotStored(server, 'classless');
    await assertNotStored(server, 'classless2');
  });

  test('accepts a password with upper- and lowercase letters, a digit and a symbol', async () => {
    const api = await registerApi(server, 'classy', 'classy@example.test', 'Correct horse, 7 battery staples!');
    assert.equal(api.status, 201, api.body);
    const page = await registerPage(server, 'classy2', 'classy2@example.test', 'Violet 9 lanterns drift; over Ærø!');
    assert.equal(page.status, 303, page.body.slice(0, 300));
  });

  test('refuses a long all-classes password shorter than the raised minimum', async () => {
    const api = await registerApi(server, 'shorty', 'shorty@example.test', 'Vq7#kLz9!pW');
    assert.equal(api.status, 400);
    assert.ok(api.json<{ problems: Problem[] }>().problems.some((p) => p.code === 'password_too_short'));
  });

  test('the meter carries the configured minimum and the class rule', async () => {
    const page = await new TestClient(server.url).get('/register');
    assert.match(page.body, /<meter id="password-strength"[^>]*data-min-length="16"/);
    assert.match(page.body, /data-require-classes="1"/);
    assert.match(page.body, /At least 16 characters/);
  });
});
