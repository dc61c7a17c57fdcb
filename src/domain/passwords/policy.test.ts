/**
 * The password policy (issue #3; NIST SP 800-63B §5.1.1.2, ASVS 2.1): known-bad passwords
 * are refused with stable codes and plain-language reasons, all at once; long Unicode
 * passphrases pass; composition rules only when configured; the sign-in check agrees with
 * the registration check; a 100 000-character paste is refused quickly.
 */
import assert from 'node:assert/strict';
import { describeProblem } from '../../messages/problems.ts';
import { test } from 'node:test';
import { dictionary } from '@zxcvbn-ts/language-common';
import { loadConfig } from '../../config.ts';
import { COMMON_PASSWORD_COUNT } from './common-passwords.ts';
import {
  assessPassword,
  checkPassword,
  PASSWORD_PROBLEM_CODES,
  type PasswordContext,
  passwordFailsPolicy,
  type PasswordPolicyConfig,
} from './policy.ts';

const POLICY: PasswordPolicyConfig = { minLength: 12, maxLength: 256 };
const ALICE: PasswordContext = { username: 'frederick', email: 'hedy.lamarr+gh@example.com' };

const codesOf = (password: string, context = ALICE, config = POLICY) =>
  checkPassword(password, context, config).map((problem) => problem.code);

const PASSPHRASE_64 = 'Ωμέγα λύκος τρέχει στο δάσος, 雪の朝に猫が眠る — żółw pije kawę ☕ daily!';
const PASSPHRASE_128 =
  'Der Kühlschrank summt leise, während 月光 über die Dächer von Zürich gleitet; la grenouille chante «Ça va?» 🐸 à minuit, 二〇二四年 Ende';
const STRONG_12 = 'Vq7#pL2!xZ9m';

test('well-known bad passwords are refused, each with a reason', () => {
  const expected: Record<string, string> = {
    password123: 'password_common',
    '123456789': 'password_sequential',
    qwertyuiop: 'password_sequential',
    admin123: 'password_common',
  };
  for (const [password, code] of Object.entries(expected)) {
    const problems = checkPassword(password, ALICE, POLICY);
    assert.ok(problems.some((problem) => problem.code === code), `${password} → ${code}`);
    assert.ok(problems.some((problem) => problem.code === 'password_too_short'), `${password} is too short`);
    for (const problem of problems) assert.match(describeProblem(problem), /^This password .{40,}/);
  }
  assert.ok(codesOf('qwertyuiop').includes('password_common'));
});

test('the common list has ≥ 10 000 entries and matches case-insensitively after NFKC', () => {
  assert.ok(COMMON_PASSWORD_COUNT >= 10_000, `${COMMON_PASSWORD_COUNT} entries`);
  assert.equal(COMMON_PASSWORD_COUNT, dictionary['passwords-common'].length);
  for (const password of ['1q2w3e4r5t6y', '1Q2W3E4R5T6Y', 'QazWsxEdcRfv', 'ｐａｓｓｗｏｒｄ１２３４']) {
    assert.ok(codesOf(password).includes('password_common'), password);
  }
});

test('a password containing the username or the email local part is refused', () => {
  assert.deepEqual(codesOf('frederick'), ['password_too_short', 'password_common', 'password_contains_username']);
  assert.deepEqual(codesOf('Frederick-rules-the-waves'), ['password_contains_username']);
  assert.deepEqual(codesOf('Hedy-Lamarr invented hopping'), ['password_contains_email']);
  assert.deepEqual(codesOf('torpedo hedylamarr+gh 1942'), ['password_contains_email']);
});

test('identifiers shorter than 3 characters are ignored', () => {
  const context = { username: 'al', email: 'jo@example.com' };
  assert.deepEqual(codesOf('Always joking about Alps', context), []);
  assert.deepEqual(codesOf('Always joking about Alps', { username: 'alw' }), ['password_contains_username']);
});

test('repeated and sequential characters only are refused, keyboard runs included', () => {
  for (const password of ['aaaaaaaaaaaaaa', 'abababababab', 'XyzXyzXyzXyz']) {
    assert.deepEqual(codesOf(password), ['password_repetitive'], password);
  }
  for (const password of ['abcdefghijklmn', 'ZYXWVUTSRQPONM', '12345678901234', '98765432109876', 'qwertyuiopasdf', 'azertyuiopqsdf']) {
    assert.ok(codesOf(password).includes('password_sequential'), password);
  }
});

test('64- and 128-character Unicode passphrases are accepted', () => {
  assert.equal([...PASSPHRASE_64.normalize('NFKC')].length, 64);
  assert.equal([...PASSPHRASE_128.normalize('NFKC')].length, 128);
  assert.deepEqual(checkPassword(PASSPHRASE_64, ALICE, POLICY), []);
  assert.deepEqual(checkPassword(PASSPHRASE_128, ALICE, POLICY), []);
});

test('length bounds are minLength and maxLength code points after NFKC, inclusive', () => {
  assert.deepEqual(codesOf(STRONG_12), []);
  assert.deepEqual(codesOf(STRONG_12.slice(0, 11)), ['password_too_short']);
  assert.deepEqual(codesOf(STRONG_12, ALICE, { ...POLICY, minLength: 13 }), ['password_too_short']);
  const at256 = `${PASSPHRASE_128}${PASSPHRASE_128}`;
  assert.deepEqual(codesOf(at256), []);
  assert.deepEqual(codesOf(`${at256}!`), ['password_too_long']);
  // Each emoji is one character (two UTF-16 units): 200 of them are within the limit.
  assert.ok(!codesOf('🦊🌲'.repeat(100)).includes('password_too_long'));
});

test('a 100 000-character password is refused as too long, quickly', () => {
  for (const password of ['x'.repeat(100_000), 'ﷺ'.repeat(1_000_000), 'x'.repeat(2_000)]) {
    const started = performance.now();
    assert.deepEqual(codesOf(password), ['password_too_long']);
    assert.equal(passwordFailsPolicy(password, ALICE, POLICY), true);
    assert.ok(performance.now() - started < 50, `took ${performance.now() - started} ms`);
  }
});

test('the zxcvbn score is the final word, with the configured threshold', () => {
  const assessment = assessPassword('sunshine2024!', ALICE, POLICY);
  assert.equal(assessment.score, 2);
  assert.deepEqual(assessment.problems.map((problem) => problem.code), ['password_too_weak']);
  assert.match(describeProblem(assessment.problems[0]!), /strength 2 of 4; at least 3/);
  assert.deepEqual(codesOf('sunshine2024!', ALICE, { ...POLICY, minScore: 2 }), []);
  // Not reported on top of a rule that already explains the refusal.
  assert.deepEqual(codesOf('aaaaaaaaaaaaaa'), ['password_repetitive']);
});

test('composition rules are off by default and opt-in', () => {
  const phrase = 'correct horse battery staple';
  assert.deepEqual(codesOf(phrase), []);
  const strict = { ...POLICY, requireClasses: true };
  const problems = checkPassword(phrase, ALICE, strict);
  assert.deepEqual(problems.map((problem) => problem.code), ['password_missing_classes']);
  assert.match(describeProblem(problems[0]!), /no uppercase letter or digit/);
  assert.deepEqual(codesOf('Correct horse battery staple 9', ALICE, strict), []);
  assert.deepEqual(codesOf('雪の朝に猫が眠る 9 匹の狐', ALICE, strict), [], 'caseless scripts count as both cases');
});

test('every problem is reported at once', () => {
  const codes = codesOf('Fred', { username: 'fred' }, { ...POLICY, requireClasses: true });
  assert.deepEqual(codes, ['password_too_short', 'password_common', 'password_contains_username', 'password_missing_classes']);
});

test('every code has its own message that says how to do better', () => {
  const messages = new Map<string, string>();
  const samples = ['a', 'x'.repeat(300), 'password1234', 'frederick the great', 'Hedy.Lamarr-1942-x', 'aaaaaaaaaaaa', 'abcdefghijkl', 'sunshine2024!'];
  for (const config of [POLICY, { ...POLICY, requireClasses: true }]) {
    for (const sample of samples) {
      for (const problem of checkPassword(sample, ALICE, config)) messages.set(problem.code, describeProblem(problem));
    }
  }
  assert.deepEqual([...messages.keys()].sort(), [...PASSWORD_PROBLEM_CODES].sort());
  assert.equal(new Set(messages.values()).size, PASSWORD_PROBLEM_CODES.length);
  for (const message of messages.values()) assert.match(message, /\b(Use|Choose|Leave|Add|Make|phrase)\b/);
});

test('passwordFailsPolicy (sign-in) agrees with checkPassword (registration)', () => {
  const user = { username: 'frederick', email: 'hedy.lamarr@example.com' };
  const samples = ['password123', 'frederick-rules-the-waves', 'sunshine2024!', STRONG_12, PASSPHRASE_64, 'abcdefghijklmn'];
  for (const password of samples) {
    assert.equal(passwordFailsPolicy(password, user, POLICY), checkPassword(password, user, POLICY).length > 0, password);
  }
  assert.equal(passwordFailsPolicy(PASSPHRASE_64, user, POLICY), false);
  assert.equal(passwordFailsPolicy('frederick-rules-the-waves', user, POLICY), true);
});

test('PASSWORD_MIN_SCORE and PASSWORD_REQUIRE_CLASSES reach the policy; empty means the default', () => {
  const defaults = loadConfig({ PASSWORD_MIN_SCORE: '', PASSWORD_REQUIRE_CLASSES: '' }).passwords;
  assert.deepEqual([defaults.minScore, defaults.requireClasses, defaults.minLength], [3, false, 12]);
  assert.deepEqual(checkPassword('sunshine2024!', {}, defaults).map((problem) => problem.code), ['password_too_weak']);
  const configured = loadConfig({ PASSWORD_MIN_SCORE: '2', PASSWORD_REQUIRE_CLASSES: '1' }).passwords;
  assert.deepEqual(checkPassword('sunshine2024!', {}, configured).map((problem) => problem.code), ['password_missing_classes']);
  assert.deepEqual(checkPassword('Sunshine2024!', {}, configured), []);
});
