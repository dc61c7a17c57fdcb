/**
 * What a reverse proxy sends to Gatehouse's verify endpoints, in both dialects (README
 * "Protecting other applications"), for a target URL; and what comes back on "allowed".
 *   forwarded  GET /auth/verify        X-Forwarded-Method, -Proto, -Host, -Uri (Traefik, Caddy)
 *   nginx      GET /auth/verify/nginx  X-Original-URL, X-Original-Method (nginx auth_request)
 */

export const VERIFY_PATHS = { forwarded: '/auth/verify', nginx: '/auth/verify/nginx' };

/** The request headers of one verify call for `target` (an absolute URL) in `dialect`. */
export function verifyHeaders(dialect, target, cookie) {
  const url = new URL(target);
  if (dialect === 'nginx') return { 'x-original-url': url.href, 'x-original-method': 'GET', cookie };
  return { 'x-forwarded-method': 'GET', 'x-forwarded-proto': url.protocol.slice(0, -1), 'x-forwarded-host': url.host, 'x-forwarded-uri': `${url.pathname}${url.search}`, cookie };
}

/** Set by Node/Fastify for any response (framing, not content): never copied to the baseline. */
const FRAMING_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The response headers of an "allowed" answer that the baseline must send too (name → value). */
export function contentHeaders(response) {
  return Object.fromEntries([...response.headers].filter(([name]) => !FRAMING_HEADERS.has(name)));
}

/** Bytes of those headers on the wire (`name: value\r\n` each). */
export const headerBytes = (headers) => Object.entries(headers).reduce((n, [name, value]) => n + Buffer.byteLength(`${name}: ${value}\r\n`), 0);
