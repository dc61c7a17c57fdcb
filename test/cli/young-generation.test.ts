/**
 * `gatehouse serve` relaunches itself once (process.execve: same pid) with
 * --max-semi-space-size=16, which holds the RSS growth of B5 (`npm run bench`) to about a
 * fifth of Node 24's default (src/cli/young-generation.ts says why and what was measured). Other
 * commands, an operator's own choice of the flag, and GATEHOUSE_KEEP_NODE_FLAGS=1 run as they are.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { SEMI_SPACE_MIB, youngGenerationRelaunch } from '../../src/cli/young-generation.ts';
import { CliWorkspace } from '../helpers/cli.ts';

const execve = () => {};
const base = { execPath: '/usr/bin/node', execArgv: ['--import', './probe.mjs'], env: { PATH: '/usr/bin' }, execve };

describe('which processes relaunch with a bounded young generation', () => {
  test('serve relaunches with the flag first, keeping its own node flags, script and arguments', () => {
    const relaunch = youngGenerationRelaunch({ ...base, argv: ['/usr/bin/node', '/app/bin/gatehouse.js', 'serve', '--x'] });
    assert.deepEqual(relaunch, ['/usr/bin/node', ['/usr/bin/node', `--max-semi-space-size=${SEMI_SPACE_MIB}`, '--import', './probe.mjs', '/app/bin/gatehouse.js', 'serve', '--x'], base.env]);
  });

  test('other commands, an operator-chosen flag, the opt-out and a platform without execve do not', () => {
    const serve = ['/usr/bin/node', '/app/bin/gatehouse.js', 'serve'];
    assert.equal(youngGenerationRelaunch({ ...base, argv: ['/usr/bin/node', '/app/bin/gatehouse.js', 'migrate'] }), undefined);
    assert.equal(youngGenerationRelaunch({ ...base, argv: serve, execArgv: ['--max-semi-space-size=32'] }), undefined);
    assert.equal(youngGenerationRelaunch({ ...base, argv: serve, execArgv: ['--max_semi_space_size', '8'] }), undefined);
    assert.equal(youngGenerationRelaunch({ ...base, argv: serve, env: { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8' } }), undefined);
    assert.equal(youngGenerationRelaunch({ ...base, argv: serve, env: { GATEHOUSE_KEEP_NODE_FLAGS: '1' } }), undefined);
    assert.equal(youngGenerationRelaunch({ ...base, argv: serve, execve: undefined }), undefined);
  });
});

describe('a real gatehouse serve', () => {
  const cli = new CliWorkspace();
  after(() => cli.cleanup());

  /** Starts `serve` (until /healthz answers), reads its command line from /proc, stops it with SIGTERM. */
  async function serveAndStop(env: Record<string, string> = {}) {
    const serve = await cli.spawnServe(env);
    // The pid the parent spawned is the one serving: execve replaced the image in place.
    const commandLine = readFileSync(`/proc/${serve.pid}/cmdline`, 'utf8').split('\0');
    const { code } = await serve.stop('SIGTERM');
    return { commandLine, code };
  }

  test('runs under the same pid with the flag, and still stops cleanly on SIGTERM', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const { commandLine, code } = await serveAndStop();
    assert.ok(commandLine.includes(`--max-semi-space-size=${SEMI_SPACE_MIB}`), commandLine.join(' '));
    assert.equal(commandLine.filter((arg) => arg === 'serve').length, 1);
    assert.equal(code, 0);
  });

  test('keeps an operator-chosen value from NODE_OPTIONS', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const { commandLine, code } = await serveAndStop({ NODE_OPTIONS: '--max-semi-space-size=8' });
    assert.ok(!commandLine.some((arg) => arg.startsWith('--max-semi-space-size')), commandLine.join(' '));
    assert.equal(code, 0);
  });
});
