// Property: the request log's URL never carries a secret query value (v5.0.0-16.2.5). Secret
// parameters are found by a rule (the decoded name contains password, token, code, secret,
// csrf, key, otp, …), bracketed or not, in any case, and inside values that are themselves
// URLs or queries however often they were percent-encoded; everything else is logged as sent.
// The pino redact paths cover every secret field name, and the rule matches each of them.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import { isSecretName, lazyChildLogger, REDACT_PATHS, REDACTED, redactUrl, SECRET_FIELD_NAMES } from './logger.ts';

const R = encodeURIComponent(REDACTED);

test('URLs without a query, or without secret parameters, are logged exactly as sent', () => {
  for (const url of ['/', '/login', '/login?', '/profile?id=7', '/admin/users?q=alice%20smith&page=2', '/x?a=b%3D%3D', '/dashboard?message=%3Cscript%3E']) {
    assert.equal(redactUrl(url), url);
  }
});

test('every parameter whose name contains a secret part is redacted, whatever the case', () => {
  const names = ['password', 'current_password', 'new_password', 'PASSWORD', 'Current_Password', 'token', 'reset_token', 'csrf_token', 'csrf', 'csrfToken', 'code', 'recovery_code', 'secret', 'client_secret', 'api_key', 'otp', 'passwd', 'pwd'];
  for (const name of names) {
    const url = `/login?username=alice&${encodeURIComponent(name)}=hunter2hunter2&next=%2Fdashboard`;
    const logged = redactUrl(url);
    assert.ok(!logged.includes('hunter2'), `${name}: ${logged}`);
    assert.match(logged, /username=alice/, name);
    assert.match(logged, /next=%2Fdashboard/, name);
  }
});

test('bracketed, percent-encoded and width-variant names count', () => {
  for (const name of ['password[]', 'password%5B%5D', 'user[password]', 'user%5Bpassword%5D', 'user%255Bpassword%255D', 'pass%77ord', 'p%2561ssword', 'ｐａｓｓｗｏｒｄ', 'pass-word', 'pass.word', 'new_password[0]']) {
    const logged = redactUrl(`/login?${name}=s3cr3tvalue`);
    assert.ok(!logged.includes('s3cr3tvalue'), `${name}: ${logged}`);
  }
});

test('every value of a repeated secret parameter is redacted', () => {
  const logged = redactUrl('/login?password=one111&password=two222&password[]=three333');
  assert.ok(!/one111|two222|three333/.test(logged), logged);
});

test('a URL inside a parameter has its own secret parameters redacted, once or many times encoded', () => {
  const inner = '/settings/password?current_password=innersecret&tab=1';
  let encoded = inner;
  for (let times = 1; times <= 5; times += 1) {
    encoded = encodeURIComponent(encoded);
    const logged = redactUrl(`/login?next=${encoded}&lang=en`);
    assert.ok(!logged.includes('innersecret'), `encoded ${times}×: ${logged}`);
    assert.match(logged, /lang=en/, `encoded ${times}×`);
    assert.match(decodeURIComponent(decodeURIComponent(logged)), /tab=1/, `encoded ${times}×: the harmless parts stay`);
  }
});

test('nesting inside nesting, absolute URLs and bare queries are redacted too', () => {
  const deepest = `/x?token=deeptoken`;
  const middle = `/login?next=${encodeURIComponent(deepest)}`;
  const outer = `/login?rd=${encodeURIComponent(`https://app.example.test/cb?next=${encodeURIComponent(middle)}`)}`;
  assert.ok(!redactUrl(outer).includes('deeptoken'), redactUrl(outer));
  assert.ok(!redactUrl(`/x?state=${encodeURIComponent('code=authcode123&x=1')}`).includes('authcode123'));
  assert.ok(!redactUrl(`/x?next=${encodeURIComponent('/y#password=fragsecret')}`).includes('fragsecret'));
});

test('a value nested or encoded beyond the bound is redacted whole rather than logged', () => {
  let value = '/x?password=toodeep';
  for (let times = 0; times < 12; times += 1) value = encodeURIComponent(value);
  const logged = redactUrl(`/login?next=${value}&lang=en`);
  assert.ok(!logged.includes('toodeep'), logged);
  assert.equal(logged, `/login?next=${R}&lang=en`);
});

test('malformed percent-encoding neither throws nor hides a secret', () => {
  for (const url of ['/login?password=%E0%A4%A&x=1', '/login?%zz=1&password=badenc', '/login?next=%2Fx%3Fpassword%3Dbadenc%E0%A4']) {
    const logged = redactUrl(url);
    assert.ok(!logged.includes('badenc'), `${url}: ${logged}`);
  }
});

test('a secret-named parameter in the redacted URL shows it was there', () => {
  assert.equal(redactUrl('/reset-password?token=abc123'), `/reset-password?token=${R}`);
});

test('every secret field name matches the rule; username, email and next do not', () => {
  for (const name of SECRET_FIELD_NAMES) assert.ok(isSecretName(name), name);
  for (const name of ['code', 'recovery_code', 'x-csrf-token', 'authorization_code']) assert.ok(isSecretName(name), name);
  for (const name of ['username', 'email', 'next', 'rd', 'id', 'q', 'lang', 'message', 'user_id']) {
    assert.ok(!isSecretName(name), name);
  }
});

test('pino redacts secret fields of logged objects, top level and one level down, and keeps error codes', () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = pino({ redact: { paths: [...REDACT_PATHS], censor: REDACTED } }, stream);
  const fields = Object.fromEntries(SECRET_FIELD_NAMES.map((name, i) => [name, `fieldsecret${i}x`]));
  log.info({ ...fields, body: { ...fields, code: '123456', username: 'alice' }, err: { code: 'ECONNREFUSED' } }, 'test');
  log.info({ req: { headers: { cookie: 'gatehouse_session=cookiesecret', authorization: 'Bearer bearersecret', 'x-csrf-token': 'headersecret' } } }, 'test');
  const text = lines.join('\n');
  assert.ok(!/fieldsecret|cookiesecret|bearersecret|headersecret|123456/.test(text), text);
  assert.match(text, /"username":"alice"/);
  assert.match(text, /"code":"ECONNREFUSED"/);
});

test('human-readable lines only in development on a terminal with no stream given; JSON otherwise', async () => {
  const { loggerOptions, wantsPrettyLogs } = await import('./logger.ts');
  assert.equal(wantsPrettyLogs('development', undefined, true), true);
  assert.equal(wantsPrettyLogs('development', undefined, false), false, 'a pipe or file gets JSON');
  assert.equal(wantsPrettyLogs('production', undefined, true), false);
  assert.equal(wantsPrettyLogs('development', process.stderr, true), false, 'a given stream gets JSON');
  const pretty = loggerOptions('info', undefined, true) as { transport?: { target: string }; redact?: unknown };
  assert.equal(pretty.transport?.target, 'pino-pretty');
  assert.ok(pretty.redact, 'redaction still applies before the prettifier');
  assert.equal((loggerOptions('info') as { transport?: unknown }).transport, undefined);
});

test('the per-request child logger is made only for an enabled line, and writes what an eager child writes', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const parent = pino({ level: 'warn', redact: { paths: [...REDACT_PATHS], censor: REDACTED } }, sink);
  let made = 0;
  const counting = new Proxy(parent, {
    get(target, property, receiver) {
      if (property !== 'child') return Reflect.get(target, property, receiver);
      return (...args: Parameters<typeof parent.child>) => {
        made += 1;
        return target.child(...args);
      };
    },
  });
  const child = lazyChildLogger(counting as never, { reqId: 'req-7' }, {});
  child.info('ignored');
  child.debug({ password: 'hunter2hunter2' }, 'ignored too');
  assert.equal(made, 0, 'nothing made for lines below the level');
  assert.equal(child.level, 'warn');
  child.warn({ password: 'hunter2hunter2', detail: 'kept' }, 'slow request');
  child.error('failed');
  assert.equal(made, 1, 'made once, on the first enabled line');
  assert.equal(lines.length, 2);
  const first = JSON.parse(lines[0]!);
  assert.equal(first.reqId, 'req-7');
  assert.equal(first.msg, 'slow request');
  assert.equal(first.password, REDACTED);
  assert.equal(first.detail, 'kept');
  assert.equal(JSON.parse(lines[1]!).reqId, 'req-7');
  // A route with its own level gets it.
  const verbose = lazyChildLogger(parent as never, { reqId: 'req-8' }, { level: 'debug' });
  verbose.debug('route-level debug');
  assert.equal(JSON.parse(lines.at(-1)!).msg, 'route-level debug');
});
