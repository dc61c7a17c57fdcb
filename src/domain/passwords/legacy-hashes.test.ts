/**
 * werkzeug hashes verify exactly as werkzeug does: every user of the Flask demo's own
 * database (/work/shared/fixtures/flask-demo-users.db, written by werkzeug) verifies with
 * their password and with nothing else; other parameters verify too (vectors made with
 * werkzeug 3.1.8 and Python's hashlib); the password is taken as received, unnormalised; a
 * plaintext row and anything malformed or beyond the cost bounds is refused (ASVS
 * v5.0.0-15.2.2: a stored row cannot pin a CPU or memory).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { parseWerkzeugHash, verifyWerkzeugHashBlocking, WERKZEUG_LIMITS } from './legacy-hashes.ts';

const FIXTURE = '/work/shared/fixtures/flask-demo-users.db';
const FIXTURE_PASSWORDS: Record<string, string> = {
  admin: 'admin123',
  usuario: 'password123',
  maria: 'Montaña-azul-2024',
  jorge: 'cielo estrellado sobre el mar',
  legacy: 'admin123',
};

function readFixtureUsers(): Array<{ username: string; password: string }> {
  const db = new Database(FIXTURE, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT username, password FROM users ORDER BY id').all() as Array<{ username: string; password: string }>;
  } finally {
    db.close();
  }
}

/** [password, hash]: werkzeug.security.generate_password_hash or hashlib, never this module. */
const VECTORS: Array<[string, string]> = [
  ['werkzeug made this', 'pbkdf2:sha512:5000$G1WgilnHV44K$b4525d589818e2d84aa059ae11a11a2c1ccd4e505ea05664f9aca435f5bd0555e6a2c5659a0bfa61d9b543bac94ae5e63391f1cbdcb1565af662b955eaa1f1e1'],
  ['werkzeug made this too', 'scrypt:4096:8:2$si2GBk8ciHhz1Xrlcu6u$2730ec095a33ff8518f274e095237246e58aa7d91a49db22b3e0b7e5d28f8216ba05619411cfe11a61e0d04601e5507c6d185d2441c84961e73a9a82319f46c7'],
  ['correct horse', 'pbkdf2:sha1:1000$salt1234ABCD$befe565805f41416a67ed344ade9e5709914837f'],
  ['pässwörd ünïcode', 'pbkdf2:sha512:2000$Zx9qL0pW$3ef1227a374372a315043e680f1ab25feee9ca9dadc61d71652fe1e3b0aaebf1e42546c9450b06b08942849684c883cbd1eaff3d83bd2994c8105b0f62581786'],
  ['x', 'pbkdf2:sha256:1$a$4d8b19f64e39d700ad600927853dd625fef6ba7b5588726ea86793ebb423813c'],
  ['Montan\u0303a NFD', 'scrypt:1024:8:1$s4ltS4lt$f4afcb5ac3be7d72909bcbfd91c131c3c77b507eb7c7d04c62bfa03e2ba762180aa4898be79052158f81edb4a296f0d9f76b4a9f60c02d8aaf0652b4d45f3064'],
  ['short', 'scrypt:16:1:1$tiny$f4bc86b172ac957163f402a739fdd50a270c9a2310506476b60296a708cfa242a7d708f1e6d89e14d962908d51bc44f0f2f0efb3a95a7c83c578e6da211b00e2'],
  ['p greater than one', 'scrypt:2048:4:3$multiLane$ae13df2b6e5d3d36a3303073f4d1fdf5cb03ecaddcbaa41e6d13772a6a462dfc5a50f854205735775ba4cda0ba7798f857aca48d8b2f8d30d05c043b431898cb'],
  // Bare `scrypt` means werkzeug's fixed default 32768:8:1.
  ['bare default', 'scrypt$bareSalt$500806bc4ff767ae1604e3a1843879e8664938f52d8b8d8b1643bf5a5cdb695c61241b825caf1a8039047ab79df5c2864acea48fd7e40adf2848f37806c0c9d5'],
];

/** Derived at random: a different password, one character changed, a prefix, the password doubled. */
function wrongPasswordsFor(password: string): string[] {
  const chars = [...password];
  const at = chars.length > 1 ? 1 + (randomBytes(1)[0]! % (chars.length - 1)) : 0;
  const changed = chars.map((c, i) => (i === at ? String.fromCodePoint(c.codePointAt(0)! ^ 1) : c)).join('');
  return [randomBytes(12).toString('base64url'), changed, chars.slice(0, -1).join(''), password + password, password.toUpperCase() === password ? '' : password.toUpperCase()];
}

test('every user of the Flask demo database verifies with their password and with no other', () => {
  const users = readFixtureUsers();
  assert.deepEqual(users.map((u) => u.username), Object.keys(FIXTURE_PASSWORDS));
  for (const { username, password: stored } of users.filter((u) => u.username !== 'legacy')) {
    const password = FIXTURE_PASSWORDS[username]!;
    assert.equal(verifyWerkzeugHashBlocking(stored, password), true, username);
    for (const wrong of wrongPasswordsFor(password)) assert.equal(verifyWerkzeugHashBlocking(stored, wrong), false, `${username}: ${wrong}`);
    // Another user's password, under this user's salt.
    const other = username === 'admin' ? 'password123' : 'admin123';
    assert.equal(verifyWerkzeugHashBlocking(stored, other), false, `${username}: ${other}`);
  }
});

test('the plaintext row is not a hash: refused, never verifies, not even with its own text', () => {
  const legacy = readFixtureUsers().find((u) => u.username === 'legacy')!;
  assert.equal(legacy.password, 'admin123');
  assert.equal(parseWerkzeugHash(legacy.password), undefined);
  assert.equal(verifyWerkzeugHashBlocking(legacy.password, 'admin123'), false);
});

test('other digests and scrypt costs verify, as werkzeug wrote them', () => {
  for (const [password, stored] of VECTORS) {
    assert.ok(parseWerkzeugHash(stored), stored);
    assert.equal(verifyWerkzeugHashBlocking(stored, password), true, stored);
    for (const wrong of wrongPasswordsFor(password)) assert.equal(verifyWerkzeugHashBlocking(stored, wrong), false, `${stored}: ${wrong}`);
  }
});

test('the password is hashed as received: another Unicode normalisation does not verify', () => {
  const [nfdPassword, stored] = VECTORS.find(([password]) => password.startsWith('Montan'))!;
  assert.equal(verifyWerkzeugHashBlocking(stored, nfdPassword), true);
  assert.equal(verifyWerkzeugHashBlocking(stored, nfdPassword.normalize('NFC')), false);
  const maria = readFixtureUsers().find((u) => u.username === 'maria')!;
  assert.equal(verifyWerkzeugHashBlocking(maria.password, 'Montaña-azul-2024'.normalize('NFD')), false);
});

test('parsing reads the parameters werkzeug wrote', () => {
  const parsed = parseWerkzeugHash(readFixtureUsers().find((u) => u.username === 'maria')!.password);
  assert.ok(parsed && parsed.method === 'pbkdf2');
  assert.deepEqual([parsed.digest, parsed.iterations, parsed.salt, parsed.key.length], ['sha256', 600_000, 'YarHPnAw4zWV0Cpm', 32]);
  const jorge = parseWerkzeugHash(readFixtureUsers().find((u) => u.username === 'jorge')!.password);
  assert.ok(jorge && jorge.method === 'scrypt');
  assert.deepEqual([jorge.n, jorge.r, jorge.p, jorge.key.length], [32768, 8, 1, 64]);
  const bare = parseWerkzeugHash(VECTORS.at(-1)![1]);
  assert.ok(bare && bare.method === 'scrypt');
  assert.deepEqual([bare.n, bare.r, bare.p, bare.salt], [32768, 8, 1, 'bareSalt']);
});

test('malformed, unknown or too costly hashes are refused before any work (a hostile row cannot pin a CPU)', () => {
  const hex32 = 'ab'.repeat(32);
  const hex64 = 'ab'.repeat(64);
  const refused = [
    '',
    'admin123',
    `pbkdf2:sha256$salt$${hex32}`, // no iterations: its meaning changed across werkzeug releases
    `pbkdf2:sha256:0$salt$${hex32}`,
    `pbkdf2:sha256:${WERKZEUG_LIMITS.maxPbkdf2Iterations + 1}$salt$${hex32}`,
    `pbkdf2:sha256:999999999$salt$${hex32}`,
    `pbkdf2:md5:1000$salt$${'ab'.repeat(16)}`,
    `pbkdf2:sha256:1000$salt$${'ab'.repeat(31)}`, // key shorter than the digest
    `pbkdf2:sha256:1000$salt$${hex32.toUpperCase()}`, // werkzeug compares lowercase hex
    `pbkdf2:sha256:1000$salt$${hex32}a`,
    `pbkdf2:sha256:1000$$${hex32}`,
    `pbkdf2:sha256:1000$sa$lt$${hex32}`,
    `pbkdf2:sha256:1000$${'s'.repeat(WERKZEUG_LIMITS.maxSaltLength + 1)}$${hex32}`,
    `pbkdf2:sha256:1000$salt`,
    `scrypt:1000:8:1$salt$${hex64}`, // n not a power of two
    `scrypt:1:8:1$salt$${hex64}`,
    `scrypt:${2 ** 21}:8:1$salt$${hex64}`,
    `scrypt:${2 ** 20}:8:1$salt$${hex64}`, // 1 GiB of memory
    `scrypt:65536:1:1$salt$${hex64}`, // n ≥ 2^(16·r): invalid scrypt
    `scrypt:32768:8:1000$salt$${hex64}`, // 1000 × the default work
    `scrypt:32768:0:1$salt$${hex64}`,
    `scrypt:32768:8:0$salt$${hex64}`,
    `scrypt:32768:8$salt$${hex64}`,
    `scrypt:32768:8:1$salt$${hex32}`,
    `sha256$salt$${hex32}`,
    `plain$$admin123`,
  ];
  for (const stored of refused) {
    const started = performance.now();
    assert.equal(parseWerkzeugHash(stored), undefined, stored);
    assert.equal(verifyWerkzeugHashBlocking(stored, 'admin123'), false, stored);
    assert.ok(performance.now() - started < 250, `${stored} did work`); // 10M iterations: about 1.5 s
  }
  // The largest costs still accepted stay within the documented bounds.
  assert.ok(parseWerkzeugHash(`pbkdf2:sha256:${WERKZEUG_LIMITS.maxPbkdf2Iterations}$salt$${hex32}`));
  assert.ok(parseWerkzeugHash(`scrypt:${2 ** 18}:8:1$salt$${hex64}`));
  assert.ok(parseWerkzeugHash(`scrypt:${2 ** 20}:2:1$salt$${hex64}`));
});
