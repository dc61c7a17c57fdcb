// Property: a forward-auth target or `rd` passes only as an http(s) URL whose host is a listed
// domain or a subdomain of one on a dot boundary; every trick that makes a browser or a parser
// land elsewhere is refused (ASVS v5.0.0-3.7.2, v5.0.0-1.2.2; oauth2-proxy GHSA-4mf2-f3wh-gvf2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkTarget, targetFromForwarded, type TargetPolicy } from './target.ts';
import { isHostUnder, normalizeHostname } from './hostnames.ts';

const policy: TargetPolicy = { domains: ['example.com'], allowHttp: false };

test('a listed domain, its subdomains and any port pass, normalised', () => {
  for (const url of ['https://example.com/', 'https://app.example.com/a?b=c#d', 'https://a.b.example.com:8443/x', 'HTTPS://APP.Example.COM/Path']) {
    const check = checkTarget(url, policy);
    assert.ok(check.ok, url);
  }
  const check = checkTarget('HTTPS://APP.Example.COM/Path', policy);
  assert.ok(check.ok);
  assert.equal(check.url, 'https://app.example.com/Path');
  assert.equal(check.origin, 'https://app.example.com');
});

test('v5.0.0-3.7.2: the known open-redirect shapes are refused', () => {
  const refused = [
    'https://evilexample.com/',
    'https://example.com.evil.test/',
    'https://evil.test/',
    'https://evil.test/https://app.example.com',
    '//evil.test',
    '/\\evil.test',
    '\\\\evil.test',
    'https://app.example.com@evil.test/',
    'https://evil.test@app.example.com/',
    'https://evil.test#@app.example.com/',
    'https://evil.test?@app.example.com/',
    'https://evil.test\\@app.example.com/',
    'https:/\\evil.test',
    'https:evil.test',
    'https://app.example.com%2eevil.test/',
    'https://app%2Eexample.com/',
    'https://аpp.example.com/', // Cyrillic a
    'https://app.example.com./',
    'https://ex\u0000ample.com/',
    'https://app.example.com/\r\nSet-Cookie: x=1',
    ' https://app.example.com/',
    'https://[::1]/',
    'https://127.0.0.1/',
    'https://0x7f.1/',
    'http://app.example.com/', // plain http outside development
    '',
  ];
  for (const url of refused) assert.equal(checkTarget(url, policy).ok, false, JSON.stringify(url));
});

test('v5.0.0-1.2.2: only http and https schemes pass', () => {
  for (const url of ['javascript:alert(1)', 'JaVaScRiPt://app.example.com/%0aalert(1)', 'data:text/html,<script>', 'ftp://app.example.com/', 'file://app.example.com/etc/passwd', 'vbscript://app.example.com']) {
    const check = checkTarget(url, policy);
    assert.equal(check.ok, false, url);
  }
  assert.deepEqual(checkTarget('javascript:alert(1)', policy), { ok: false, code: 'target_scheme' });
});

test('plain http passes only when allowed (NODE_ENV=development)', () => {
  assert.deepEqual(checkTarget('http://app.example.com/', policy), { ok: false, code: 'target_insecure' });
  assert.ok(checkTarget('http://app.example.com/', { ...policy, allowHttp: true }).ok);
});

test('the Traefik/Caddy headers are checked as one URL; a host header smuggling a path or userinfo is refused', () => {
  assert.ok(targetFromForwarded({ proto: 'https', host: 'app.example.com', uri: '/x?y=1' }, policy).ok);
  assert.ok(targetFromForwarded({ proto: 'https', host: 'app.example.com:8443', uri: undefined }, policy).ok);
  for (const parts of [
    { proto: 'https', host: 'evil.test/.example.com', uri: '/' },
    { proto: 'https', host: 'evil.test@app.example.com', uri: '/' },
    { proto: 'https', host: 'app.example.com', uri: '//evil.test/' },
    { proto: 'https', host: 'app.example.com', uri: 'evil' },
    { proto: 'javascript', host: 'app.example.com', uri: '/' },
    { proto: 'https', host: undefined, uri: '/' },
  ]) {
    assert.equal(targetFromForwarded(parts, policy).ok, false, JSON.stringify(parts));
  }
});

test('hostnames: settings are bare lower-case hostnames; the dot boundary decides', () => {
  assert.equal(normalizeHostname('Example.COM'), 'example.com');
  for (const bad of ['https://example.com', 'example.com:443', 'example.com/x', '*.example.com', 'exa mple.com', 'example.com.', '-a.com', 'ünicode.com', 'user@example.com']) {
    assert.equal(normalizeHostname(bad), undefined, bad);
  }
  assert.ok(isHostUnder('a.example.com', 'example.com'));
  assert.equal(isHostUnder('evilexample.com', 'example.com'), false);
  assert.equal(isHostUnder('example.com', 'a.example.com'), false);
});

// Properties (fast-check): what passes always lands on an allowed host, whatever is thrown at it.
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const junk = fc.string({ unit: fc.constantFrom(...'@/\\:.?#%-_ aA0\t\n\u0000\u3002\uff0e'.split('')), maxLength: 12 });

test('property: any string that passes parses to an allowed host, on a dot boundary, over https', () => {
  fc.assert(
    fc.property(fc.oneof(fc.webUrl(), fc.string(), fc.tuple(junk, label, junk).map(([a, b, c]) => `https://${a}${b}.example.com${c}/`)), (raw) => {
      const check = checkTarget(raw, policy);
      if (!check.ok) return true;
      const url = new URL(check.url);
      return url.protocol === 'https:' && (url.hostname === 'example.com' || url.hostname.endsWith('.example.com')) && url.username === '' && url.password === '';
    }),
    { numRuns: 2000 },
  );
});

test('property: a host that merely ends with the domain\'s letters (no dot) never passes', () => {
  fc.assert(
    fc.property(label, fc.constantFrom('', '/', '/x?y', ':8443/'), (prefix, tail) => !checkTarget(`https://${prefix}example.com${tail}`, policy).ok),
    { numRuns: 500 },
  );
});

test('property: any subdomain label under the domain passes, with or without a port', () => {
  fc.assert(
    fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 })), (labels, port) => {
      const check = checkTarget(`https://${labels.join('.')}.example.com${port === null ? '' : `:${port}`}/p`, policy);
      // An all-numeric last label before the domain is still a name here (only the last label of the whole host is checked).
      return check.ok;
    }),
    { numRuns: 500 },
  );
});

test('property: userinfo before a listed host, or a listed host inside userinfo, never passes', () => {
  fc.assert(
    fc.property(label, label, (user, sub) => !checkTarget(`https://${user}@${sub}.example.com/`, policy).ok && !checkTarget(`https://${sub}.example.com@${user}.test/`, policy).ok),
    { numRuns: 300 },
  );
});
