/**
 * The client address for throttle keys (the HTTP layer passes `request.ip`, which already
 * honours TRUST_PROXY; `unblock` re-derives the keys of addresses read from the audit log).
 * IPv6 clients are keyed by their /64, since one host usually owns a whole /64 and could
 * otherwise rotate addresses to escape limits (as fastify-rate-limit does).
 */
import { isIPv6 } from 'node:net';

export function throttleKeyForIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const groups = ip.includes('::') ? [...headParts, ...Array(missing).fill('0'), ...tailParts] : headParts;
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
