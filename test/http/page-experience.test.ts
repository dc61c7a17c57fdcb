// Property: what a person meets on the pages, through a real listening server: every page in
// English and Spanish (no English sentence on a Spanish page), forms that explain each problem
// beside its field and in a linked summary, a show-password toggle, and error states that lead
// somewhere (a stale form comes back, a second sign-out lands home, a signed-in /login goes to
// the dashboard, a 429 keeps the form). No inline style or script anywhere.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GOOD_PASSWORD, TestClient, type TestResponse } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' });
});
after(() => server.stop());

const client = () => new TestClient(server.url);

/** What a person reads: text content and the accessible names given in attributes. */
function readableText(body: string): string {
  const labels = [...body.matchAll(/\s(?:aria-label|alt|title)="([^"]*)"/g)].map((m) => m[1]);
  const text = body
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ');
  return `${text} ${labels.join(' ')}`.replace(/\s+/g, ' ');
}

/** English words and phrases that only an untranslated page would show. */
const ENGLISH = [
  'Sign in', 'Sign out', 'Register', 'Password', 'Username', 'Email', 'Create an account', 'Welcome', 'Dashboard',
  'Profile', 'There is a problem', 'Enter ', 'Skip to main', 'Language', 'Show password', 'Change', 'Created', 'Role',
  'Home', 'Not found', 'Settings', 'your ', ' the ', ' and ', ' is ', 'Page not found',
];

function assertNoEnglish(body: string, label: string) {
  const text = readableText(body);
  for (const phrase of ENGLISH) assert.ok(!text.includes(phrase), `${label}: "${phrase}" on a Spanish page: …${text.slice(Math.max(0, text.indexOf(phrase) - 80), text.indexOf(phrase) + 80)}…`);
}

function inputTag(body: string, id: string): string {
  const tag = new RegExp(`<input id="${id}"[^>]*>`).exec(body)?.[0];
  assert.ok(tag, `no input #${id}`);
  return tag;
}

describe('languages', () => {
  test('?lang=es gives a Spanish page with <html lang="es">, remembered by the gatehouse_lang cookie', async () => {
    const c = client();
    const first = await c.get('/login?lang=es');
    assert.match(first.body, /<html lang="es">/);
    assert.match(first.body, /Iniciar sesión/);
    assert.ok(first.setCookies.some((line) => /^gatehouse_lang=es;/.test(line)), 'the choice is remembered');
    const later = await c.get('/register');
    assert.match(later.body, /<html lang="es">/);
    assert.match(later.body, /Crear una cuenta/);
    const back = await c.get('/register?lang=en');
    assert.match(back.body, /<html lang="en">/);
    assert.match(back.body, /Create an account/);
  });

  test('Accept-Language: es gives Spanish; no header gives English', async () => {
    const es = await client().get('/', { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' });
    assert.match(es.body, /<html lang="es">/);
    assert.match(es.body, /Cómo te protege Gatehouse/);
    const en = await client().get('/');
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /How Gatehouse protects you/);
  });

  test('no English sentence leaks onto any Spanish page, signed out or in, with or without errors', async () => {
    const c = client();
    const pages: [string, TestResponse][] = [];
    for (const path of ['/?lang=es', '/login', '/register', '/no-such-page']) pages.push([path, await c.get(path)]);
    pages.push(['register with errors', await c.postForm('/register', { username: '', email: 'nope', password: 'short' })]);
    await c.get('/login');
    pages.push(['login with errors', await c.postForm('/login', { username: 'nobody-here', password: 'wrong password entirely' })]);
    await c.registerAndSignIn('hablante');
    for (const path of ['/', '/dashboard', '/profile', '/settings/password', '/profile?id=999999']) pages.push([path, await c.get(path)]);
    await c.get('/settings/password');
    pages.push(['change with errors', await c.postForm('/settings/password', { current_password: '', new_password: 'password123' })]);
    for (const [label, response] of pages) {
      assert.match(response.body, /<html lang="es">/, label);
      assertNoEnglish(response.body, label);
    }
  });

  test('dates follow the page language through Intl; the footer switcher marks the current language', async () => {
    const c = client();
    await c.registerAndSignIn('fechas');
    const es = await c.get('/profile?lang=es');
    assert.match(es.body, /<time datetime="[^"]+">\d{1,2} de [a-zé]+ de \d{4}<\/time>/);
    assert.match(es.body, /<a href="\?lang=es" hreflang="es" lang="es" aria-current="true">Español<\/a>/);
    assert.match(es.body, /<a href="\?lang=en" hreflang="en" lang="en">English<\/a>/);
    const en = await c.get('/profile?lang=en');
    assert.match(en.body, /<time datetime="[^"]+">[A-Z][a-z]+ \d{1,2}, \d{4}<\/time>/);
  });
});

describe('forms explain themselves', () => {
  test('each problem sits beside its field (aria-invalid, aria-describedby) and in a summary linking to it', async () => {
    const c = client();
    await c.get('/register');
    const res = await c.postForm('/register', { username: 'a', email: 'not-an-email', password: 'short' });
    assert.equal(res.status, 400);
    const summary = /<div class="errors" role="alert" id="error-summary" tabindex="-1" aria-labelledby="error-summary-title" data-error-summary>([\s\S]*?)<\/div>/.exec(res.body);
    assert.ok(summary, 'an error summary');
    assert.match(summary[1]!, /<h2 id="error-summary-title">There is a problem<\/h2>/);
    const links = [...summary[1]!.matchAll(/<a href="#([a-z_]+)">([^<]+)<\/a>/g)].map((m) => m[1]);
    // Every problem of every field at once, each summary entry a link to its field.
    for (const id of ['username', 'email', 'password']) {
      assert.ok(links.includes(id), `the summary links to #${id}`);
      const tag = inputTag(res.body, id);
      assert.match(tag, /aria-invalid="true"/, id);
      const describedBy = /aria-describedby="([^"]+)"/.exec(tag)?.[1]?.split(' ') ?? [];
      assert.ok(describedBy.includes(`${id}-error`), `#${id} is described by its error`);
      assert.match(res.body, new RegExp(`<(p|ul) class="field-error" id="${id}-error">`), `#${id}-error exists`);
    }
    assert.doesNotMatch(res.body, /<input[^>]*aria-invalid[^>]*name="csrf_token"/);
  });

  test('an empty field is asked for in plain words, once, never judged by the policy', async () => {
    const c = client();
    await c.get('/register');
    const res = await c.postForm('/register', { username: 'plainwords', email: 'plain@example.test', password: '' });
    assert.equal(res.status, 400);
    assert.equal(res.body.match(/Enter a password\./g)?.length, 2, 'once in the summary, once beside the field');
    assert.doesNotMatch(res.body, /0 characters/);
    assert.match(inputTag(res.body, 'username'), /value="plainwords"/);
    const login = await c.postForm('/login', { username: '', password: '' });
    assert.equal(login.status, 400);
    assert.match(login.body, /Enter your username or email address\./);
    assert.match(login.body, /Enter your password\./);
  });

  test('password inputs carry a real show/hide toggle; usernames are not capitalised or spell-checked', async () => {
    const c = client();
    for (const path of ['/register', '/login']) {
      const { body } = await c.get(path);
      assert.match(body, /<button type="button" class="toggle-password" aria-controls="password" aria-pressed="false" hidden data-password-toggle>Show password<\/button>/, path);
      assert.match(inputTag(body, 'password'), /type="password"/, path);
      assert.doesNotMatch(inputTag(body, 'password'), /value=/, path);
      assert.match(inputTag(body, 'username'), /autocapitalize="none" spellcheck="false"/, path);
      assert.match(body, /<script src="\/static\/forms\.js\?v=[0-9a-f]{8,}" defer><\/script>/, path);
    }
    const register = await c.get('/register');
    assert.match(inputTag(register.body, 'password'), /autocomplete="new-password"/);
    assert.match(inputTag(register.body, 'email'), /autocomplete="email"/);
    assert.match(register.body, /<meter id="password-strength"[^>]*hidden aria-label="Password strength"/);
    const login = await c.get('/login');
    assert.match(inputTag(login.body, 'password'), /autocomplete="current-password"/);
    await c.registerAndSignIn('toggler');
    const change = await c.get('/settings/password');
    assert.match(change.body, /aria-controls="current_password" aria-pressed="false"/);
    assert.match(change.body, /aria-controls="password" aria-pressed="false"/);
  });

  test('no page, in any state, carries an inline style or script', async () => {
    const c = client();
    const bodies = [(await c.get('/')).body, (await c.get('/register')).body, (await c.postForm('/register', { username: '', email: '', password: '' })).body];
    await c.registerAndSignIn('inline-free');
    for (const path of ['/', '/dashboard', '/profile', '/settings/password', '/nope']) bodies.push((await c.get(path)).body);
    for (const body of bodies) {
      assert.doesNotMatch(body, /<style\b|\sstyle\s*=/i);
      for (const tag of body.match(/<script\b[^>]*>/gi) ?? []) assert.match(tag, /\ssrc="\/static\//);
      assert.doesNotMatch(body, /<[^>]+\son[a-z]+\s*=/i);
    }
  });
});

describe('error states lead somewhere', () => {
  test('a stale sign-in form comes back (403) with a fresh token, the typed name and an explanation, never the password', async () => {
    const c = client();
    await c.get('/login?next=%2Fprofile');
    const stale = await c.postForm('/login', { csrf_token: 'expired-token', username: 'stale-user', password: 'secret typed words', next: '/profile' });
    assert.equal(stale.status, 403);
    assert.match(stale.body, /<form method="post" action="\/login"/);
    assert.match(stale.body, /This form had expired, so nothing was sent/);
    assert.match(inputTag(stale.body, 'username'), /value="stale-user"/);
    assert.match(stale.body, /name="next" value="\/profile"/);
    assert.ok(!stale.body.includes('secret typed words'), 'the password is echoed');
    const fresh = /name="csrf_token" value="([^"]+)"/.exec(stale.body)?.[1];
    assert.ok(fresh && fresh !== 'expired-token');
    assert.equal(fresh, /name="csrf_token" value="([^"]+)"/.exec((await c.get('/login')).body)?.[1], 'the token is the valid one');
  });

  test('a stale register form keeps name and email; the fresh token then works', async () => {
    const c = client();
    const stale = await c.postForm('/register', { csrf_token: null, username: 'late-form', email: 'late-form@example.test', password: GOOD_PASSWORD });
    assert.equal(stale.status, 403);
    assert.match(inputTag(stale.body, 'username'), /value="late-form"/);
    assert.match(inputTag(stale.body, 'email'), /value="late-form@example.test"/);
    assert.ok(!stale.body.includes(GOOD_PASSWORD));
    assert.equal(await server.deps.users.findUserByUsername('late-form'), undefined, 'nothing was done');
    const retry = await c.postForm('/register', { username: 'late-form', email: 'late-form@example.test', password: GOOD_PASSWORD });
    assert.equal(retry.status, 303, 'the re-rendered form carries a working token');
  });

  test('a forged cross-site post gets the form back without its words; the API keeps its JSON 403', async () => {
    const c = client();
    await c.get('/login');
    const forged = await c.postForm('/login', { username: 'attacker-words', password: 'x' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    assert.equal(forged.status, 403);
    assert.ok(!forged.body.includes('attacker-words'));
    const api = await client().request('POST', '/api/v1/login', { body: JSON.stringify({ username: 'a', password: 'b' }), headers: { 'content-type': 'application/json' } });
    assert.equal(api.status, 403);
    assert.equal(api.json().error, 'csrf_failed');
  });

  test('signing out when already signed out lands on / with 303; a live session still needs the token', async () => {
    assert.equal((await client().postForm('/logout', { csrf_token: null })).location, '/');
    const c = client();
    await c.registerAndSignIn('twice-out');
    await c.get('/dashboard');
    const staleTab = c.lastCsrf;
    const first = await c.postForm('/logout', {});
    assert.equal(first.status, 303);
    const second = await c.postForm('/logout', { csrf_token: staleTab ?? null });
    assert.equal(second.status, 303);
    assert.equal(second.location, '/');

    const live = client();
    await live.registerAndSignIn('still-in');
    await live.get('/dashboard');
    assert.equal((await live.postForm('/logout', { csrf_token: null })).status, 403);
    assert.equal((await live.postForm('/logout', {}, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await live.get('/dashboard')).status, 200, 'a forged sign-out did not sign anyone out');
  });

  test('the language links keep a same-origin next, and no other query text', async () => {
    const kept = await client().get('/login?next=%2Fprofile&x=spoofed-words');
    assert.match(kept.body, /href="\?next=%2Fprofile&amp;lang=es"/);
    assert.ok(!kept.body.includes('spoofed-words'));
    const foreign = await client().get('/login?next=https%3A%2F%2Fevil.example%2F');
    assert.ok(!foreign.body.includes('evil.example'));
  });

  test('a signed-in user opening /login or /register goes to /dashboard', async () => {
    const c = client();
    await c.registerAndSignIn('already-in');
    for (const path of ['/login', '/register', '/login?next=%2Fprofile']) {
      const res = await c.get(path);
      assert.equal(res.status, 303, path);
      assert.equal(res.location, '/dashboard', path);
    }
  });

  test('404 and 403 pages say what happened and link home', async () => {
    const c = client();
    const missing = await c.get('/no/such/page');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /<h1>Page not found<\/h1>/);
    assert.match(missing.body, /<a class="button" href="\/">Go to the home page<\/a>/);
    await c.registerAndSignIn('nosy');
    const denied = await c.get('/profile?id=1');
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<h1>Access denied<\/h1>/);
    assert.match(denied.body, /href="\/">Go to the home page</);
  });

  test('GET /.well-known/change-password redirects to /settings/password', async () => {
    const res = await client().get('/.well-known/change-password');
    assert.ok([302, 303].includes(res.status));
    assert.equal(res.location, '/settings/password');
  });
});

describe('429 keeps the form', () => {
  let limited: TestServer;
  before(async () => {
    limited = await startTestServer({ LOGIN_MAX_FAILURES: '2', REGISTER_MAX_PER_HOUR: '1' });
  });
  after(() => limited.stop());

  test('a throttled sign-in shows the form again with the name, the wait and Retry-After', async () => {
    const c = new TestClient(limited.url);
    let last: TestResponse | undefined;
    for (let i = 0; i < 4 && last?.status !== 429; i += 1) last = await c.signIn('throttled-name', 'wrong password entirely');
    assert.equal(last!.status, 429);
    assert.ok(Number(last!.headers.get('retry-after')) >= 1);
    assert.match(last!.body, /<form method="post" action="\/login"/);
    assert.match(last!.body, /Too many attempts\. Please wait \d+ (seconds?|minutes?|hours?) and try again\./);
    assert.match(inputTag(last!.body, 'username'), /value="throttled-name"/);
    assert.ok(!last!.body.includes('wrong password entirely'));
  });

  test('a throttled registration shows the form again with name and email', async () => {
    const c = new TestClient(limited.url);
    await c.get('/register');
    assert.equal((await c.postForm('/register', { username: 'first-one', email: 'first@example.test', password: GOOD_PASSWORD })).status, 303);
    await c.get('/register');
    const res = await c.postForm('/register', { username: 'second-one', email: 'second@example.test', password: GOOD_PASSWORD });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.match(res.body, /Too many attempts/);
    assert.match(inputTag(res.body, 'username'), /value="second-one"/);
    assert.match(inputTag(res.body, 'email'), /value="second@example.test"/);
  });
});

describe('the look and the lessons', () => {
  test('the favicon and the mark are linked and served; the current page is marked in the navigation', async () => {
    const c = client();
    const { body } = await c.get('/login');
    const favicon = /<link rel="icon" href="(\/static\/favicon\.svg\?v=[0-9a-f]+)" type="image\/svg\+xml">/.exec(body)?.[1];
    assert.ok(favicon, 'a favicon link');
    const icon = await fetch(new URL(favicon, server.url));
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type') ?? '', /image\/svg\+xml/);
    assert.match(body, /<a class="brand" href="\/" aria-label="Gatehouse home"><img class="mark" src="\/static\/mark\.svg\?v=[0-9a-f]+" alt=""/);
    assert.match(body, /<a href="\/login" aria-current="page">Sign in<\/a>/);
    assert.doesNotMatch(body, /<a href="\/register" aria-current/);
  });

  test('the home page explains each protection under its own anchor, with no dead in-page link', async () => {
    const { body } = await client().get('/');
    for (const topic of ['hashing', 'sessions', 'csrf', 'throttling', 'policy', 'errors', 'headers', 'escaping']) {
      assert.match(body, new RegExp(`<section class="lesson" id="${topic}"`), topic);
    }
    for (const [, id] of body.matchAll(/href="#([^"]+)"/g)) assert.match(body, new RegExp(`id="${id}"`), `#${id} leads nowhere`);
    assert.match(body, /argon2id/);
    assert.match(body, /README’s Security section/);
  });

  test('signed in, home and dashboard show the account at a glance and link to every settings page', async () => {
    const c = client();
    await c.registerAndSignIn('glance');
    for (const path of ['/', '/dashboard']) {
      const { body } = await c.get(path);
      assert.match(body, /Your account at a glance/, path);
      assert.match(body, /<dd>glance@example\.test<\/dd>/, path);
      assert.match(body, /Member since<\/dt><dd><time datetime=/, path);
      assert.match(body, /<a href="\/settings\/password">Change your password<\/a>/, path);
    }
  });

  test('the must-change-password notice looks like a warning, not a success', async () => {
    const c = client();
    await c.registerAndSignIn('must-change');
    const user = await server.deps.users.findUserByUsername('must-change');
    await server.deps.database.db.updateTable('users').set({ must_change_password: 1 } as never).where('id', '=', user!.id).execute();
    const { body } = await c.get('/settings/password');
    assert.match(body, /<p class="warning" role="status"><strong>Warning:<\/strong> Your password no longer meets the password policy/);
    assert.doesNotMatch(body, /class="notice"[^>]*>[^<]*no longer meets/);
  });
});
