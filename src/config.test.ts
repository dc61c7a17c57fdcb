// Property: the environment becomes a validated, frozen config; every bad variable is one line naming it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { type Config, ConfigError, loadConfig, withBoundPort } from './config.ts';
import { defineLimits, type ThrottleOptions } from './domain/throttle/limits.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
}

test('an empty environment yields the documented defaults', () => {
  const config = loadConfig({});
  assert.equal(config.env, 'development');
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 3000);
  assert.equal(config.dataDir, path.resolve('./data'));
  assert.equal(config.databaseUrl, `sqlite:${path.join(path.resolve('./data'), 'gatehouse.db')}`);
  assert.equal(config.baseUrl, 'http://127.0.0.1:3000');
  assert.equal(config.origin, 'http://127.0.0.1:3000');
  assert.equal(config.redisUrl, undefined);
  assert.equal(config.trustProxy, false);
  assert.equal(config.registration, 'open');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.migrateOnStart, true);
  assert.equal(config.secretKey, undefined);
  assert.equal(config.sessions.cookieName, 'gatehouse_session');
  assert.equal(config.sessions.secureCookie, false);
  assert.equal(config.throttle.loginMaxFailures, 5);
  assert.equal(config.throttle.loginMaxFailuresPerIp, 100);
  assert.equal(config.throttle.loginMaxFailuresPerAccount, 100);
  assert.equal(config.throttle.registerMaxPerHour, 20);
  assert.equal(config.throttle.registerMaxAttemptsPerHour, 200);
  assert.equal(config.throttle.globalRateLimitPerMinute, 1200);
  assert.equal(config.requestTimeoutSeconds, 30);
  assert.equal(config.passwords.memoryCostKib, 19_456);
  assert.equal(config.passwords.timeCost, 2);
  assert.equal(config.passwords.parallelism, 1);
});

test('the config and its slices are frozen', () => {
  const config = loadConfig({});
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.sessions));
  assert.ok(Object.isFrozen(config.passwords));
  assert.ok(Object.isFrozen(config.throttle));
});

test('DATA_DIR moves the default SQLite file and BASE_URL follows HOST and PORT', () => {
  const config = loadConfig({ DATA_DIR: '/srv/gh', HOST: '::1', PORT: '8080' });
  assert.equal(config.databaseUrl, `sqlite:${path.join('/srv/gh', 'gatehouse.db')}`);
  assert.equal(config.baseUrl, 'http://[::1]:8080');
});

test('a trailing slash on BASE_URL is dropped and the origin is derived from it', () => {
  const config = loadConfig({ BASE_URL: 'https://auth.example.test/' });
  assert.equal(config.baseUrl, 'https://auth.example.test');
  assert.equal(config.origin, 'https://auth.example.test');
});

test('each invalid variable is reported as exactly one line naming it', () => {
  const cases: Record<string, string> = {
    PORT: 'eighty',
    NODE_ENV: 'staging',
    DATABASE_URL: 'oracle://db',
    REDIS_URL: 'http://cache',
    BASE_URL: 'ftp://gatehouse.test',
    LOG_LEVEL: 'loud',
    REGISTRATION: 'maybe',
    MIGRATE: 'yes',
    LOGIN_MAX_FAILURES: '0',
    LOGIN_MAX_FAILURES_PER_IP: '-1',
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '0',
    REGISTER_MAX_PER_HOUR: '1.5',
    REGISTER_MAX_ATTEMPTS_PER_HOUR: 'many',
    GLOBAL_RATE_LIMIT: 'lots',
    REQUEST_TIMEOUT_SECONDS: '0',
    ARGON2_MEMORY_KIB: '1',
  };
  for (const [name, value] of Object.entries(cases)) {
    const problems = problemsOf({ [name]: value });
    assert.equal(problems.length, 1, `${name}=${value}: ${problems.join(' | ')}`);
    assert.ok(problems[0]!.startsWith(`${name}:`), `${name}=${value}: ${problems[0]}`);
    assert.ok(!problems[0]!.includes('\n'));
  }
});

test('several invalid variables give one line each, all reported at once', () => {
  const problems = problemsOf({ PORT: '70000', REGISTRATION: 'sometimes', LOG_LEVEL: 'chatty' });
  assert.equal(problems.length, 3);
  for (const name of ['PORT', 'REGISTRATION', 'LOG_LEVEL']) {
    assert.equal(problems.filter((line) => line.startsWith(`${name}:`)).length, 1, name);
  }
});

test('the ConfigError message is its problems, one a line', () => {
  try {
    loadConfig({ PORT: 'x', MIGRATE: 'x' });
    assert.fail('expected ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message.split('\n').length, 2);
  }
});

test('an idle timeout longer than the absolute lifetime is refused', () => {
  const problems = problemsOf({ SESSION_IDLE_TIMEOUT_SECONDS: '7200', SESSION_ABSOLUTE_LIFETIME_SECONDS: '3600' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^SESSION_IDLE_TIMEOUT_SECONDS:/);
});

test('production refuses a plain-http BASE_URL', () => {
  const problems = problemsOf({ NODE_ENV: 'production', BASE_URL: 'http://gatehouse.example.test' });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^BASE_URL: .*https/);
});

test('production refuses plain http on a host that merely starts with localhost or 127.0.0.1', () => {
  for (const url of ['http://localhost.attacker.example', 'http://127.0.0.1.nip.io', 'http://localhostevil.example']) {
    const problems = problemsOf({ NODE_ENV: 'production', BASE_URL: url });
    assert.equal(problems.length, 1, url);
    assert.match(problems[0]!, /^BASE_URL:/, url);
  }
});

test('production accepts an https BASE_URL and then uses Secure __Host- cookies', () => {
  const config = loadConfig({ NODE_ENV: 'production', BASE_URL: 'https://gatehouse.test' });
  assert.equal(config.env, 'production');
  assert.equal(config.sessions.cookieName, '__Host-gatehouse_session');
  assert.equal(config.sessions.secureCookie, true);
});

test('outside production a plain-http BASE_URL is fine', () => {
  assert.equal(loadConfig({ BASE_URL: 'http://gatehouse.example.test' }).origin, 'http://gatehouse.example.test');
});

test('TRUST_PROXY: unset, empty, "false" and "0" trust nothing', () => {
  for (const value of [undefined, '', 'false', '0']) {
    assert.equal(loadConfig({ TRUST_PROXY: value }).trustProxy, false, String(value));
  }
});

test('TRUST_PROXY: "true" trusts every hop and a number is a hop count', () => {
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
});

test('TRUST_PROXY: a comma list of addresses and CIDRs is trimmed into a list', () => {
  assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1 ,, fd00::/8' }).trustProxy, [
    '10.0.0.0/8',
    '127.0.0.1',
    'fd00::/8',
  ]);
});

test('numeric settings are coerced from their text form', () => {
  const config = loadConfig({ PORT: '0', LOGIN_MAX_FAILURES: '7', GLOBAL_RATE_LIMIT: '0', ARGON2_MEMORY_KIB: '1024' });
  assert.equal(config.port, 0);
  assert.equal(config.throttle.loginMaxFailures, 7);
  assert.equal(config.throttle.globalRateLimitPerMinute, 0);
  assert.equal(config.passwords.memoryCostKib, 1024);
});

test('LOGIN_MAX_FAILURES_PER_ACCOUNT, REGISTER_MAX_ATTEMPTS_PER_HOUR and REQUEST_TIMEOUT_SECONDS are read', () => {
  const config = loadConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', REGISTER_MAX_ATTEMPTS_PER_HOUR: '50', REQUEST_TIMEOUT_SECONDS: '10' });
  assert.equal(config.throttle.loginMaxFailuresPerAccount, 3);
  assert.equal(config.throttle.registerMaxAttemptsPerHour, 50);
  assert.equal(config.requestTimeoutSeconds, 10);
});

test('REQUEST_TIMEOUT_SECONDS is bounded to 1..3600 seconds, one line naming it', () => {
  for (const value of ['0', '3601', '1.5', '-5', 'soon']) {
    const problems = problemsOf({ REQUEST_TIMEOUT_SECONDS: value });
    assert.equal(problems.length, 1, value);
    assert.match(problems[0]!, /^REQUEST_TIMEOUT_SECONDS:/, value);
  }
  assert.equal(loadConfig({ REQUEST_TIMEOUT_SECONDS: '3600' }).requestTimeoutSeconds, 3600);
});

test("the throttle slice is the domain's ThrottleOptions, and its numbers reach the limiters", () => {
  const options: ThrottleOptions = loadConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', REGISTER_MAX_ATTEMPTS_PER_HOUR: '50' }).throttle;
  const limits = defineLimits(options);
  assert.equal(limits['login-account']?.points, 3);
  assert.equal(limits['register-attempt-ip']?.points, 50);
  const slice: Config['throttle'] = loadConfig({}).throttle;
  assert.equal(defineLimits(slice)['login-account']?.points, 100);
});

test('REGISTRATION=closed and MIGRATE=0 are read', () => {
  const config = loadConfig({ REGISTRATION: 'closed', MIGRATE: '0' });
  assert.equal(config.registration, 'closed');
  assert.equal(config.migrateOnStart, false);
});

test('an empty numeric variable (`GLOBAL_RATE_LIMIT=` in .env) is the default or an error, never 0', () => {
  for (const [name, read] of [
    ['GLOBAL_RATE_LIMIT', (c: ReturnType<typeof loadConfig>) => c.throttle.globalRateLimitPerMinute],
    ['PORT', (c: ReturnType<typeof loadConfig>) => c.port],
  ] as const) {
    let value: number | undefined;
    try {
      value = read(loadConfig({ [name]: '' }));
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.match(error.problems[0]!, new RegExp(`^${name}:`));
      continue;
    }
    assert.notEqual(value, 0, `${name}= (empty) was read as 0`);
  }
});

test('PORT=0: the bound port replaces a derived BASE_URL and origin, never a given one', () => {
  const derived = withBoundPort(loadConfig({ PORT: '0' }), 41234);
  assert.equal(derived.port, 41234);
  assert.equal(derived.baseUrl, 'http://127.0.0.1:41234');
  assert.equal(derived.origin, 'http://127.0.0.1:41234');
  const given = withBoundPort(loadConfig({ PORT: '0', BASE_URL: 'https://auth.example.test' }), 41234);
  assert.equal(given.origin, 'https://auth.example.test');
  const fixed = loadConfig({ PORT: '3000' });
  assert.equal(withBoundPort(fixed, 41234), fixed, 'a configured port is left as it is');
});

test('forward-auth: FORWARD_AUTH_DOMAINS are bare hostnames, lower-cased, de-duplicated; off by default', () => {
  assert.deepEqual(loadConfig({}).forwardAuth, { domains: [] });
  assert.equal(loadConfig({}).sessions.proxyCookie, undefined);
  const config = loadConfig({ FORWARD_AUTH_DOMAINS: 'Example.COM, app.other.test,example.com' });
  assert.deepEqual(config.forwardAuth.domains, ['example.com', 'app.other.test']);
  assert.ok(Object.isFrozen(config.forwardAuth));
  for (const bad of ['https://example.com', 'example.com:443', 'example.com/app', '*.example.com', 'exämple.com']) {
    const problems = problemsOf({ FORWARD_AUTH_DOMAINS: bad });
    assert.equal(problems.length, 1, bad);
    assert.match(problems[0]!, /^FORWARD_AUTH_DOMAINS: .* is not a bare hostname/);
  }
});

test('forward-auth: the cookie domain must be BASE_URL\'s host or a parent of it; it names the proxy cookie', () => {
  const config = loadConfig({ BASE_URL: 'https://auth.example.com', FORWARD_AUTH_DOMAINS: 'example.com', FORWARD_AUTH_COOKIE_DOMAIN: 'Example.com', NODE_ENV: 'production' });
  assert.equal(config.forwardAuth.cookieDomain, 'example.com');
  assert.deepEqual(config.sessions.proxyCookie, { name: '__Secure-gatehouse_proxy', domain: 'example.com' });
  assert.equal(loadConfig({ BASE_URL: 'http://auth.example.com', FORWARD_AUTH_COOKIE_DOMAIN: 'example.com' }).sessions.proxyCookie?.name, 'gatehouse_proxy');
  assert.deepEqual(problemsOf({ BASE_URL: 'https://auth.example.com', FORWARD_AUTH_COOKIE_DOMAIN: 'other.com' }), [
    'FORWARD_AUTH_COOKIE_DOMAIN: must be the host of BASE_URL (auth.example.com) or a parent domain of it',
  ]);
  // evilexample.com is not a parent of auth.example.com's neighbour: the dot boundary holds.
  assert.equal(problemsOf({ BASE_URL: 'https://evilexample.com', FORWARD_AUTH_COOKIE_DOMAIN: 'example.com' }).length, 1);
  assert.match(problemsOf({ FORWARD_AUTH_COOKIE_DOMAIN: 'https://example.com' })[0]!, /^FORWARD_AUTH_COOKIE_DOMAIN: /);
  // Spanish too.
  try {
    loadConfig({ BASE_URL: 'https://auth.example.com', FORWARD_AUTH_COOKIE_DOMAIN: 'other.com' }, 2, 'es');
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.match((error as ConfigError).problems[0]!, /^FORWARD_AUTH_COOKIE_DOMAIN: debe ser el host de BASE_URL/);
  }
});
