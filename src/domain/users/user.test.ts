// Property: one identity per name whatever its spelling (NFKC, case, full-width); usernames stay plain letters, digits and separators.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalUsername, checkUsername, isRole, normalizeEmail, normalizeUsername } from './user.ts';

test('case and full-width spellings of a username normalise to one identity', () => {
  for (const spelling of ['alice', 'Alice', 'ALICE', 'ａｌｉｃｅ', 'ＡＬＩＣＥ', ' alice ']) {
    assert.equal(normalizeUsername(spelling), 'alice', spelling);
  }
});

test('NFKC folds compatibility characters: ligatures, superscripts, composed vs decomposed accents', () => {
  assert.equal(normalizeUsername('ﬁona'), 'fiona');
  assert.equal(normalizeUsername('user²'), 'user2');
  assert.equal(normalizeUsername('Jose\u0301'), normalizeUsername('José'));
  assert.equal(normalizeUsername('JOSÉ'), 'josé');
});

test('distinct names stay distinct', () => {
  assert.notEqual(normalizeUsername('alice'), normalizeUsername('alicia'));
  assert.notEqual(normalizeUsername('jose'), normalizeUsername('josé'));
});

test('the display form keeps case but applies NFKC and trims', () => {
  assert.equal(canonicalUsername('  ＡｌｉＣｅ '), 'AliCe');
});

test('emails are compared NFKC, trimmed and case-folded', () => {
  assert.equal(normalizeEmail(' Alice@Example.TEST '), 'alice@example.test');
  assert.equal(normalizeEmail('ａｌｉｃｅ＠ｅｘａｍｐｌｅ.test'), 'alice@example.test');
});

test('checkUsername: 3 to 50 code points', () => {
  assert.equal(checkUsername('ab'), 'too_short');
  assert.equal(checkUsername('abc'), null);
  assert.equal(checkUsername('a'.repeat(50)), null);
  assert.equal(checkUsername('a'.repeat(51)), 'too_long');
  // Length is counted in code points, not UTF-16 units: three astral letters are three.
  assert.equal(checkUsername('𠀀𠀁𠀂'), null);
});

test('checkUsername: letters and digits of any script, with . _ - inside', () => {
  for (const ok of ['alice', 'a.b_c-d', 'user42', '42user', 'José', 'ユーザー', 'Δημήτρης']) {
    assert.equal(checkUsername(ok), null, ok);
  }
});

test('checkUsername: spaces, controls, invisible joiners, @ and edge separators are refused', () => {
  for (const bad of ['a b', 'al\u0000ice', 'ali\u200dce', 'ali\u200bce', 'al\tice', 'alice@x', '.alice', 'alice.', '-alice', 'alice_', 'al/ice', 'al<ice>', "al'ice"]) {
    assert.equal(checkUsername(bad), 'bad_characters', JSON.stringify(bad));
  }
});

test('roles are exactly user and admin', () => {
  assert.ok(isRole('user'));
  assert.ok(isRole('admin'));
  assert.ok(!isRole('Admin'));
  assert.ok(!isRole('superuser'));
  assert.ok(!isRole(''));
});
