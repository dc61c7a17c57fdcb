// Property: a composed mail has the same parts in its plain-text and HTML bodies, in the
// recipient's language, with absolute links from BASE_URL, and the HTML escapes every value
// (a username is hostile input like any other).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMailComposer, defineMailKind } from './mail.ts';

defineMailKind('example', {
  subject: 'flash.registered',
  paragraphs: ['cli.created_admin'],
  action: { label: 'label.password', link: 'reset' },
  after: ['mail.footer'],
});
const composer = createMailComposer({ baseUrl: () => 'https://auth.example.test' });

test('both bodies carry the parts; links are absolute; the HTML escapes values', () => {
  const mail = composer.compose({ kind: 'example', to: 'x@example.test', locale: 'en', params: { username: '<img src=x onerror=alert(1)>', id: 7 }, links: { reset: '/reset-password?token=abc' } });
  assert.equal(mail.subject, 'Your account was created. Please sign in.');
  assert.match(mail.text, /created admin <img src=x onerror=alert\(1\)> \(id 7\)/);
  assert.match(mail.text, /Password: https:\/\/auth\.example\.test\/reset-password\?token=abc/);
  assert.doesNotMatch(mail.html, /<img/);
  assert.match(mail.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(mail.html, /<a href="https:\/\/auth\.example\.test\/reset-password\?token=abc">Password<\/a>/);
  assert.match(mail.html, /<html lang="en">/);
});

test('Spanish for a Spanish recipient; an unknown locale reads as English; unknown kinds and missing links fail loudly', () => {
  const es = composer.compose({ kind: 'example', to: 'x@example.test', locale: 'es', params: { username: 'ana', id: 1 }, links: { reset: '/r' } });
  assert.equal(es.subject, 'Tu cuenta se creó. Inicia sesión.');
  assert.match(es.html, /<html lang="es">/);
  assert.equal(composer.compose({ kind: 'example', to: 'x@example.test', locale: 'fr', params: { username: 'a', id: 1 }, links: { reset: '/r' } }).subject, 'Your account was created. Please sign in.');
  assert.throws(() => composer.compose({ kind: 'nope', to: 'x@example.test', locale: 'en' }), /unknown mail kind/);
  assert.throws(() => composer.compose({ kind: 'example', to: 'x@example.test', locale: 'en', params: { username: 'a', id: 1 } }), /link reset missing/);
  assert.throws(() => defineMailKind('broken', { subject: 'mail.nope' as never, paragraphs: [] }), /no catalog entry/);
});
