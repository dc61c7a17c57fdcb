/**
 * Whether the socket peer of a request is a TRUST_PROXY address: the same trust Fastify is
 * built with in server.ts (a list of addresses/CIDRs through @fastify/proxy-addr, `true` for
 * every peer, a hop count for the nearest N). Only such a peer may name a forward-auth target
 * in `X-Forwarded-*` / `X-Original-*` (ASVS v5.0.0-4.1.3): anyone else could ask "may this
 * cookie open https://admin.example.com?" and read the answer.
 */
import proxyAddr from '@fastify/proxy-addr';

export type TrustProxySetting = boolean | number | readonly string[];

export function createPeerTrust(setting: TrustProxySetting): (peerAddress: string | undefined) => boolean {
  if (setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === 'number') return () => setting > 0;
  const trusted = proxyAddr.compile([...setting]);
  return (peerAddress) => peerAddress !== undefined && trusted(peerAddress, 0);
}
