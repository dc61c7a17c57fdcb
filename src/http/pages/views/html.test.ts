// Property: interpolated values are escaped unless they were built by `html` itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html } from './html.ts';

test('interpolated strings are escaped', () => {
  const payload = `<script>alert("x")</script>' onerror=\`1\``;
  assert.equal(
    html`<p title="${payload}">${payload}</p>`.value,
    '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onerror=&#96;1&#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onerror=&#96;1&#96;</p>',
  );
});

test('nested templates and arrays are kept as markup; null, undefined and false render nothing', () => {
  const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
  assert.equal(html`<ul>${items}${null}${undefined}${false}</ul>`.value, '<ul><li>a&amp;b</li><li>c</li></ul>');
});

test('escapeHtml covers ampersand first so entities are not double-decoded', () => {
  assert.equal(escapeHtml('&lt;'), '&amp;lt;');
});
