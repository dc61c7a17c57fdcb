// Property: forwardAuthFindings names each risky forward-auth setting by a stable code (for `gatehouse doctor`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config.ts';
import { forwardAuthFindings, type ForwardAuthSettings } from './findings.ts';

const good: ForwardAuthSettings = {
  env: 'production',
  baseUrl: 'https://auth.example.com',
  trustProxy: ['10.0.0.1'],
  forwardAuth: { domains: ['example.com'], cookieDomain: 'example.com' },
};
const codes = (settings: ForwardAuthSettings) => forwardAuthFindings(settings).map((finding) => `${finding.level}:${finding.code}`);

test('a sound setup has no findings; no domains is one info line', () => {
  assert.deepEqual(codes(good), []);
  assert.deepEqual(codes({ ...good, forwardAuth: { domains: [] } }), ['info:forward_auth_off']);
});

test('domains without TRUST_PROXY are an error; TRUST_PROXY=true a warning', () => {
  assert.deepEqual(codes({ ...good, trustProxy: false }), ['error:trust_proxy_unset']);
  assert.deepEqual(codes({ ...good, trustProxy: true }), ['warn:trust_proxy_everyone']);
  assert.deepEqual(codes({ ...good, trustProxy: 1 }), ['warn:trust_proxy_hops']);
});

test('http BASE_URL in production, public suffixes, IPs and a cookie domain that misses a host are named', () => {
  assert.ok(codes({ ...good, baseUrl: 'http://auth.example.com' }).includes('error:base_url_http'));
  assert.ok(codes({ ...good, forwardAuth: { domains: ['github.io'] } }).includes('error:domain_public_suffix'));
  assert.ok(codes({ ...good, forwardAuth: { domains: ['10.1.2.3'] } }).includes('warn:domain_is_ip'));
  assert.ok(codes({ ...good, forwardAuth: { domains: ['example.com', 'other.org'], cookieDomain: 'example.com' } }).includes('warn:domain_outside_cookie_domain'));
  assert.ok(codes({ ...good, baseUrl: 'https://auth.other.org' }).includes('error:cookie_domain_not_parent_of_base_url'));
  assert.ok(codes({ ...good, forwardAuth: { domains: ['app.example.com'] } }).includes('warn:no_cookie_domain'));
});

test('it takes the loaded Config as it is (what `gatehouse doctor` passes)', () => {
  const config = loadConfig({ FORWARD_AUTH_DOMAINS: 'example.com', BASE_URL: 'https://auth.example.com', FORWARD_AUTH_COOKIE_DOMAIN: 'example.com' });
  assert.deepEqual(codes(config), ['error:trust_proxy_unset']);
});
