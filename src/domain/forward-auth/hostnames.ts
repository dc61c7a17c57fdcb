/**
 * Hostnames as forward-auth settings name them (FORWARD_AUTH_DOMAINS, FORWARD_AUTH_COOKIE_DOMAIN)
 * and the dot-boundary rule that decides whether a host lies under one: `app.example.com` is
 * under `example.com`, `evilexample.com` is not (oauth2-proxy GHSA-4mf2-f3wh-gvf2). Pure.
 */

/** One DNS label: letters, digits, inner hyphens, 1 to 63 characters (RFC 1123). */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export type HostnameProblem = 'not_a_hostname';

/**
 * The setting's host in canonical form (lower case), or undefined when it is not a bare
 * hostname: a scheme, port, path, userinfo, wildcard, trailing dot or non-ASCII character
 * (IDNs must be given in their `xn--` form) makes it undefined. Never throws.
 */
export function normalizeHostname(value: string): string | undefined {
  const host = value.trim().toLowerCase();
  if (host.length === 0 || host.length > 253) return undefined;
  if (IPV4.test(host)) return host;
  const labels = host.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  // An all-numeric last label is an IP address in disguise (`1.2.3.999`, `0x7f.1`): refused.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return undefined;
  return host;
}

export function isIpAddress(host: string): boolean {
  return IPV4.test(host) || host.includes(':') || host.startsWith('[');
}

/**
 * Whether `host` is `domain` or one of its subdomains, on a dot boundary. An IP address
 * matches only itself (it has no subdomains). Both must already be lower case.
 */
export function isHostUnder(host: string, domain: string): boolean {
  if (host === domain) return true;
  if (isIpAddress(domain) || isIpAddress(host)) return false;
  return host.endsWith(`.${domain}`);
}

/** Whether `host` is under any of `domains`. */
export function isHostAllowed(host: string, domains: readonly string[]): boolean {
  return domains.some((domain) => isHostUnder(host, domain));
}

/**
 * Public suffixes a cookie or an allowlist must never be set on (a short list of the common
 * ones, not the whole Public Suffix List: a warning for `gatehouse doctor`, not a guarantee).
 * A single label (`com`, `internal`) other than `localhost` counts as one too.
 */
const COMMON_PUBLIC_SUFFIXES = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'com.au', 'net.au', 'org.au', 'co.nz', 'co.jp', 'ne.jp', 'com.br', 'com.mx',
  'com.ar', 'co.za', 'co.in', 'com.cn', 'com.tw', 'com.es', 'com.tr', 'github.io', 'gitlab.io', 'pages.dev',
  'netlify.app', 'vercel.app', 'herokuapp.com', 'azurewebsites.net', 'cloudfront.net', 'appspot.com',
  'blogspot.com', 'workers.dev', 'fly.dev', 'onrender.com', 'duckdns.org', 'ngrok.io', 'ngrok-free.app',
]);

export function isPublicSuffix(host: string): boolean {
  if (isIpAddress(host)) return false;
  if (!host.includes('.')) return host !== 'localhost';
  return COMMON_PUBLIC_SUFFIXES.has(host);
}
