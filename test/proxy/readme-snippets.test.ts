// Property: the README's nginx, Caddy and Traefik snippets are the very files test/proxy runs
// (docs/forward-auth/), word for word, so the documentation cannot drift from what is tested.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('README quotes docs/forward-auth/nginx.conf, Caddyfile and traefik.yml verbatim', () => {
  for (const [file, fence] of [['nginx.conf', 'nginx'], ['Caddyfile', 'caddyfile'], ['traefik.yml', 'yaml']] as const) {
    const text = readFileSync(path.join(ROOT, 'docs/forward-auth', file), 'utf8').trimEnd();
    assert.ok(readme.includes(`\`\`\`${fence}\n${text}\n\`\`\``), `${file} is quoted as it is`);
  }
});
