/**
 * The CLI speaks the terminal's language (LC_ALL, then LC_MESSAGES, then LANG; `es_*` is
 * Spanish, anything else English) for every line it writes itself: usage, summaries,
 * results and one-line errors. And `serve` shows the "create the first admin" hint only
 * while no enabled admin exists.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { cliLocale } from '../../src/cli/messages.ts';
import { assertOneLineError, CliWorkspace } from '../helpers/cli.ts';

const PASSWORD = 'copper lantern orchard 4471';

test('the locale variables decide the language in POSIX order', () => {
  assert.equal(cliLocale({}), 'en');
  assert.equal(cliLocale({ LANG: 'es_ES.UTF-8' }), 'es');
  assert.equal(cliLocale({ LANG: 'es_ES.UTF-8', LC_ALL: 'C' }), 'en');
  assert.equal(cliLocale({ LANG: 'en_GB.UTF-8', LC_MESSAGES: 'es_MX.UTF-8' }), 'es');
  assert.equal(cliLocale({ LC_ALL: '', LANG: 'es' }), 'es');
});

describe('gatehouse in Spanish and English', () => {
  const cli = new CliWorkspace();
  cli.forbid(PASSWORD);
  after(() => cli.cleanup());
  const spanish = { LANG: 'es_ES.UTF-8' };

  test('help and unknown commands follow the language', async () => {
    const help = await cli.run(['--help'], { env: spanish });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^uso: gatehouse <orden>/);
    assert.match(help.stdout, /crea un administrador/);
    const english = await cli.run(['--help']);
    assert.match(english.stdout, /^usage: gatehouse <command>/);
    assert.match(assertOneLineError(await cli.run(['frobnicate'], { env: spanish }), 'unknown command'), /orden desconocida «frobnicate»/);
  });

  test('results and errors of a command are Spanish; values stay as typed', async () => {
    assert.match((await cli.run(['migrate'], { env: spanish })).stdout, /aplicadas: 0001-initial/);
    const created = await cli.run(['create-admin', '--username', 'jefa', '--email', 'jefa@example.test'], { env: spanish, input: `${PASSWORD}\n` });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^administrador jefa creado \(id \d+\)\n$/);
    assert.match(assertOneLineError(await cli.run(['disable', 'nadie'], { env: spanish }), 'unknown user'), /usuario desconocido «nadie»/);
    const weak = await cli.run(['create-admin', '--username', 'otra', '--email', 'otra@example.test'], { env: spanish, input: 'password123\n' });
    assert.match(assertOneLineError(weak, 'weak password'), /password: Esta contraseña/);
    assert.match((await cli.run(['revoke-sessions', 'jefa'], { env: spanish })).stdout, /se cerraron 0 sesiones de jefa/);
  });

  test('serve shows the first-admin hint only while no enabled admin exists', async () => {
    const fresh = new CliWorkspace();
    try {
      const first = await fresh.spawnServe();
      assert.match(first.output.stdout, /create-admin --username/);
      await first.stop();
      const created = await fresh.run(['create-admin', '--username', 'root', '--email', 'root@example.test'], { input: `${PASSWORD}\n` });
      assert.equal(created.code, 0, created.stderr);
      const second = await fresh.spawnServe();
      assert.doesNotMatch(second.output.stdout, /create-admin/);
      await second.stop();
      // The only admin cannot be disabled (the last-admin rule): the hint cannot come back
      // through the CLI once an admin exists.
      const refused = await fresh.run(['disable', 'root']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /root/);
    } finally {
      await fresh.cleanup();
    }
  });
});

test('configuration and secret-key problems are in the terminal language too, naming the setting', async () => {
  const cli = new CliWorkspace();
  try {
    const bad = await cli.run(['migrate'], { env: { LANG: 'es_ES.UTF-8', DATABASE_URL: 'ftp://nope', PORT: 'abc' } });
    const lines = bad.stderr.trim().split('\n');
    assert.ok(lines.some((line) => /configuración: DATABASE_URL: debe empezar por sqlite:/.test(line)), bad.stderr);
    assert.ok(lines.some((line) => /configuración: PORT: .*(número|Entrada inválida)/i.test(line)), bad.stderr);
    const weak = await cli.run(['disable', 'x'], { env: { LANG: 'es_ES.UTF-8', NODE_ENV: 'production', SECRET_KEY: 'changeme', BASE_URL: 'https://auth.example.test' } });
    assert.match(weak.stderr, /SECRET_KEY: demasiado débil/);
    const english = await cli.run(['migrate'], { env: { DATABASE_URL: 'ftp://nope' } });
    assert.match(english.stderr, /configuration: DATABASE_URL: must start with sqlite:/);
  } finally {
    await cli.cleanup();
  }
});
