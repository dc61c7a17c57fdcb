// Property tests (fast-check, issue #14) for every parser and normaliser that reads hostile
// input: the stored-hash parsers (argon2id PHC, werkzeug pbkdf2/scrypt), session and sealed
// tokens, the `next` sanitiser, username and email normalisation, the password policy, the
// form and JSON schemas, and the language negotiation. Each property states what must hold for
// every input, with an oracle where one exists (node:crypto for werkzeug hashes, the WHATWG URL
// parser for redirects): never throwing on garbage is the floor (v5.0.0-1.5.x, 2.2.1), the
// stated invariants are the point. Seeds are fast-check's (printed on failure, replayable).
import assert from 'node:assert/strict';
import { pbkdf2Sync } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { generateToken, openText, sealText } from '../../src/domain/crypto.ts';
import { identifyHash, readArgon2Parameters } from '../../src/domain/passwords/hasher.ts';
import { parseWerkzeugHash, verifyWerkzeugHashBlocking } from '../../src/domain/passwords/legacy-hashes.ts';
import { normalizePassword } from '../../src/domain/passwords/normalize.ts';
import { checkPassword } from '../../src/domain/passwords/policy.ts';
import { isWellFormedToken } from '../../src/domain/sessions/session-service.ts';
import { canonicalEmail, canonicalUsername, checkUsername, isValidEmail, normalizeEmail, normalizeUsername } from '../../src/domain/users/user.ts';
import { loginBody, registerBody } from '../../src/http/api/schemas.ts';
import { negotiateLocale } from '../../src/http/locale.ts';
import { loginForm, registerForm } from '../../src/http/pages/forms.ts';
import { safeNextPath } from '../../src/http/pages/safe-redirect.ts';

const RUNS = { numRuns: 400 };
/** Any text, including unpaired surrogates, controls and astral characters. */
const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));
const base64 = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9+/]{${min},${max}}$`));

describe('stored password hashes', () => {
  test('identifyHash and readArgon2Parameters never throw, and anything not a hash is unusable', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const kind = identifyHash(text);
        assert.ok(['argon2id', 'werkzeug-pbkdf2', 'werkzeug-scrypt', 'unusable'].includes(kind));
        if (!text.startsWith('$argon2id$') && !text.startsWith('pbkdf2:') && !text.startsWith('scrypt')) assert.equal(kind, 'unusable');
        readArgon2Parameters(text);
      }),
      RUNS,
    );
  });

  test('a PHC string within the bounds is argon2id with its own parameters; one outside them is unusable', () => {
    const phc = fc.record({ m: fc.integer({ min: 0, max: 5_000_000 }), t: fc.integer({ min: 0, max: 120 }), p: fc.integer({ min: 0, max: 20 }), salt: base64(22, 22), hash: base64(43, 43) });
    fc.assert(
      fc.property(phc, ({ m, t, p, salt, hash }) => {
        const stored = `$argon2id$v=19$m=${m},t=${t},p=${p}$${salt}$${hash}`;
        const inBounds = p >= 1 && p <= 16 && t >= 1 && t <= 100 && m >= Math.max(8, 8 * p) && m <= 4 * 1024 * 1024;
        assert.equal(identifyHash(stored), inBounds ? 'argon2id' : 'unusable', stored);
        if (inBounds) assert.deepEqual(readArgon2Parameters(stored), { m, t, p });
      }),
      RUNS,
    );
  });

  test('werkzeug pbkdf2: a hash made by node:crypto parses back and verifies its password only', () => {
    const made = fc.record({
      digest: fc.constantFrom('sha1', 'sha256', 'sha512'),
      iterations: fc.integer({ min: 1, max: 50 }),
      salt: fc.stringMatching(/^[A-Za-z0-9]{1,24}$/),
      password: fc.string({ minLength: 1, maxLength: 30 }),
      other: fc.string({ minLength: 1, maxLength: 30 }),
    });
    fc.assert(
      fc.property(made, ({ digest, iterations, salt, password, other }) => {
        const bytes = { sha1: 20, sha256: 32, sha512: 64 }[digest];
        const key = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, bytes, digest).toString('hex');
        const stored = `pbkdf2:${digest}:${iterations}$${salt}$${key}`;
        const parsed = parseWerkzeugHash(stored);
        assert.ok(parsed && parsed.method === 'pbkdf2');
        assert.equal(parsed.iterations, iterations);
        assert.equal(identifyHash(stored), 'werkzeug-pbkdf2');
        assert.equal(verifyWerkzeugHashBlocking(stored, password), true);
        if (Buffer.from(other, 'utf8').compare(Buffer.from(password, 'utf8')) !== 0) assert.equal(verifyWerkzeugHashBlocking(stored, other), false);
      }),
      { numRuns: 150 },
    );
  });

  test('werkzeug parsing never throws and refuses costs beyond its bounds (no denial of service by a stored row)', () => {
    const costly = fc.oneof(
      fc.integer({ min: 10_000_001, max: 2 ** 31 }).map((n) => `pbkdf2:sha256:${n}$salt$${'ab'.repeat(32)}`),
      fc.integer({ min: 21, max: 40 }).map((log) => `scrypt:${2 ** log}:8:1$salt$${'ab'.repeat(64)}`),
    );
    fc.assert(fc.property(costly, (stored) => assert.equal(parseWerkzeugHash(stored), undefined)), RUNS);
    fc.assert(fc.property(fc.constantFrom('pbkdf2:', 'scrypt:', 'scrypt$'), anyText, (prefix, rest) => void parseWerkzeugHash(`${prefix}${rest}`)), RUNS);
  });
});

describe('tokens', () => {
  test('generated session tokens are well formed; nothing else of another shape is', () => {
    fc.assert(fc.property(fc.constant(null), () => assert.ok(isWellFormedToken(generateToken()))), { numRuns: 100 });
    fc.assert(fc.property(anyText, (text) => assert.equal(isWellFormedToken(text), /^[A-Za-z0-9_-]{43}$/.test(text))), RUNS);
  });

  test('sealed text opens to itself under its key, and to nothing when any character changes or the key differs', () => {
    const key = Buffer.alloc(32, 7);
    const otherKey = Buffer.alloc(32, 8);
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), (plaintext, position) => {
        const sealed = sealText(key, plaintext);
        assert.equal(openText(key, sealed), plaintext);
        assert.equal(openText(otherKey, sealed), undefined);
        const index = position % sealed.length;
        const replacement = sealed[index] === 'A' ? 'B' : 'A';
        const tampered = `${sealed.slice(0, index)}${replacement}${sealed.slice(index + 1)}`;
        // base64url's last character may carry unused bits: a change there can decode the same.
        if (sealed[index] !== '.' && Buffer.from(sealed.split('.').join(''), 'latin1').length > 0 && tampered !== sealed) {
          const opened = openText(key, tampered);
          assert.ok(opened === undefined || opened === plaintext);
        }
      }),
      RUNS,
    );
    fc.assert(fc.property(anyText, (text) => assert.equal(openText(key, text), undefined)), RUNS);
  });
});

describe('redirect targets', () => {
  test('safeNextPath answers the fallback or a same-origin path, and is idempotent (the URL parser is the oracle)', () => {
    const suspicious = fc.oneof(
      anyText,
      fc.tuple(fc.constantFrom('/', '//', '/\\', '\\', '/./', '/../', '/%2f', '/%5c', 'https:', 'javascript:', '/\t/', ' /'), anyText).map(([a, b]) => `${a}${b}`),
      fc.webUrl().map((url) => url.replace(/^https?:/, '')),
      // Dot segments that collapse into a network path once resolved: `/.//evil.test`.
      fc.tuple(fc.constantFrom('/./', '/a/../', '/./././', '/%2e/', '/b/%2e%2e/'), fc.constantFrom('/', '//', '\\', '/\\'), fc.domain()).map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(suspicious, (next) => {
        const safe = safeNextPath(next, '/dashboard');
        assert.ok(safe.startsWith('/') && !safe.startsWith('//') && !safe.startsWith('/\\'), safe);
        assert.ok(!/[\u0000-\u001f\u007f\\]/.test(safe), JSON.stringify(safe));
        for (const base of ['https://gatehouse.test', 'http://127.0.0.1:3000']) assert.equal(new URL(safe, base).origin, new URL(base).origin, `${JSON.stringify(next)} → ${safe}`);
        assert.equal(safeNextPath(safe, '/dashboard'), safe, 'idempotent');
      }),
      { numRuns: 1500 },
    );
  });
});

describe('identifiers', () => {
  test('username and email normalisation are idempotent and agree with their canonical forms', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const [canonical, normalize] of [[canonicalUsername, normalizeUsername], [canonicalEmail, normalizeEmail]] as const) {
          const normal = normalize(text);
          assert.equal(normalize(normal), normal);
          assert.equal(normalize(canonical(text)), normal);
          assert.equal(canonical(canonical(text)), canonical(text));
        }
      }),
      RUNS,
    );
  });

  test('ASCII case never makes two accounts: Alice, ALICE and alice are one username and one email', () => {
    const ascii = fc.stringMatching(/^[A-Za-z0-9._-]{1,30}$/);
    fc.assert(
      fc.property(ascii, (name) => {
        assert.equal(normalizeUsername(name.toUpperCase()), normalizeUsername(name.toLowerCase()));
        assert.equal(normalizeEmail(`${name.toUpperCase()}@EXAMPLE.TEST`), normalizeEmail(`${name.toLowerCase()}@example.test`));
      }),
      RUNS,
    );
  });

  test('an accepted username or email holds no space, control, format or separator character', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const username = canonicalUsername(text);
        if (checkUsername(username) === null) assert.ok(!/[\s\p{Cc}\p{Cf}\p{Z}@/\\]/u.test(username), JSON.stringify(username));
        const email = canonicalEmail(text);
        if (isValidEmail(email)) {
          assert.ok(!/[\s\p{Cc}]/u.test(email), JSON.stringify(email));
          assert.equal(email.split('@').length, 2);
        }
      }),
      RUNS,
    );
  });
});

describe('the password policy', () => {
  const policy = { minLength: 12, maxLength: 256, minScore: 3 };
  test('never throws; refuses by length in code points after NFKC, and judges NFKC-equivalent passwords alike', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.string({ minLength: 257, maxLength: 600 })), (password) => {
        const codes = checkPassword(password, { username: 'alice', email: 'alice@example.test' }, policy).map((p) => p.code);
        const length = [...normalizePassword(password)].length;
        if (length > 256) assert.deepEqual(codes, ['password_too_long']);
        else if (length < 12) assert.ok(codes.includes('password_too_short'), `${length}: ${codes}`);
        const decomposed = checkPassword(password.normalize('NFD'), { username: 'alice', email: 'alice@example.test' }, policy).map((p) => p.code);
        if (password.normalize('NFD').length <= 256 * 4) assert.deepEqual(decomposed, codes);
      }),
      // zxcvbn costs milliseconds per password of 80 characters: few runs, the long ones cheap.
      { numRuns: 80 },
    );
  });

  test('a password containing the username is always refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{4,12}$/), fc.string({ minLength: 8, maxLength: 20 }), (username, padding) => {
        const codes = checkPassword(`${padding}${username}${padding}`, { username, email: `${username}@example.test` }, policy).map((p) => p.code);
        assert.ok(codes.length > 0, `${username} inside the password was accepted`);
      }),
      { numRuns: 60 },
    );
  });
});

describe('form and JSON schemas', () => {
  test('parsing any value never throws; what passes is strings within bounds, without NUL, and (JSON) no unknown field', () => {
    const value = fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('username', 'email', 'password', 'next', '__proto__', 'role', 'admin'), fc.oneof(fc.string({ maxLength: 400 }), fc.jsonValue(), fc.array(fc.string()))));
    fc.assert(
      fc.property(value, (input) => {
        for (const schema of [loginForm, registerForm, loginBody, registerBody]) {
          const parsed = schema.safeParse(input);
          if (!parsed.success) continue;
          for (const [field, text] of Object.entries(parsed.data as Record<string, unknown>)) {
            assert.equal(typeof text, 'string', field);
            assert.ok(!(text as string).includes('\u0000'));
          }
        }
        const json = registerBody.safeParse(input);
        if (json.success) assert.deepEqual(Object.keys(input as object).sort(), ['email', 'password', 'username']);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('language negotiation', () => {
  const tag = fc.oneof(fc.constantFrom('en', 'es', 'es-ES', 'EN-us', 'fr', 'de', '*', 'zh-Hant-TW', 'x-klingon', ''), anyText.map((text) => text.slice(0, 12)));
  const weighted = fc.tuple(tag, fc.option(fc.oneof(fc.double({ min: -1, max: 2, noNaN: false }), fc.constantFrom('abc', '', '1.0', '0'))));
  const header = fc.array(weighted, { maxLength: 12 }).map((parts) => parts.map(([t, q]) => (q === null ? t : `${t};q=${q}`)).join(','));

  test('never throws; answers en, es or nothing; an unsupported language added with q=0 changes nothing', () => {
    fc.assert(
      fc.property(header, (value) => {
        const locale = negotiateLocale(value);
        assert.ok(locale === undefined || locale === 'en' || locale === 'es');
        assert.equal(negotiateLocale(`${value},fr;q=0`), locale);
      }),
      { numRuns: 1000 },
    );
  });

  test('the supported language with the highest q wins, whatever the order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 999 }), fc.boolean(), (a, b, swap) => {
        fc.pre(a !== b);
        const parts = [`en;q=0.${String(a).padStart(3, '0')}`, `es;q=0.${String(b).padStart(3, '0')}`];
        assert.equal(negotiateLocale((swap ? parts.reverse() : parts).join(', ')), a > b ? 'en' : 'es');
      }),
      RUNS,
    );
  });
});
