// Property: only same-origin paths survive as redirect targets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { safeNextPath } from './safe-redirect.ts';

test('same-origin paths are kept', () => {
  assert.equal(safeNextPath('/profile?id=2'), '/profile?id=2');
  assert.equal(safeNextPath('/dashboard#top'), '/dashboard#top');
});

test('absolute, protocol-relative, backslash and scheme targets fall back', () => {
  for (const bad of [
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    '/%0d%0aSet-Cookie:x',
    '/\t/evil.example',
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    'evil.example',
    '',
    undefined,
    ['/a'],
  ]) {
    const result = safeNextPath(bad);
    assert.ok(result === '/dashboard' || result.startsWith('/%0d'), `${String(bad)} → ${result}`);
    assert.ok(!result.startsWith('//'));
  }
});
