// Property: one throttle key per client: IPv4 as is, IPv4-mapped IPv6 as its IPv4, other IPv6 by its /64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { throttleKeyForIp } from './ip-key.ts';

test('IPv4 addresses are used unchanged', () => {
  for (const ip of ['1.2.3.4', '127.0.0.1', '203.0.113.255']) assert.equal(throttleKeyForIp(ip), ip);
});

test('IPv4-mapped IPv6 is keyed as the IPv4 address, in any case', () => {
  assert.equal(throttleKeyForIp('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(throttleKeyForIp('::FFFF:1.2.3.4'), '1.2.3.4');
});

test('IPv6 is keyed by its /64 prefix', () => {
  assert.equal(throttleKeyForIp('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(throttleKeyForIp('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(throttleKeyForIp('::1'), '0:0:0:0::/64');
});

test('every address in one /64 shares a key, whatever its spelling', () => {
  const key = throttleKeyForIp('2001:db8:aa:bb::1');
  for (const ip of ['2001:db8:aa:bb:ffff:ffff:ffff:ffff', '2001:0DB8:00aa:00BB:0:0:0:2', '2001:db8:aa:bb:1::']) {
    assert.equal(throttleKeyForIp(ip), key, ip);
  }
});

test('neighbouring /64s get different keys', () => {
  assert.notEqual(throttleKeyForIp('2001:db8:aa:bb::1'), throttleKeyForIp('2001:db8:aa:bc::1'));
  assert.notEqual(throttleKeyForIp('2001:db8::1'), throttleKeyForIp('2001:db9::1'));
});
