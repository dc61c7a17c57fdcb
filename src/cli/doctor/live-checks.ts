/**
 * `doctor --url <base>`: what a running deployment answers, seen from where doctor runs. The
 * health check; security headers (CSP, nosniff, frame-ancestors, and HSTS with a year and
 * includeSubDomains in production: ASVS v5.0.0-3.4.1); the session cookie's flags; and how the
 * server resolves this request (GET /api/v1/diagnostics/request): with a made-up
 * X-Forwarded-For, a server that reports that address lets any client pick the address its
 * rate limits and audit rows use (v5.0.0-15.3.4); through BASE_URL's host, the scheme and host
 * it resolves must be BASE_URL's, or links and origin checks break behind the proxy.
 */
import type { Config } from '../../config.ts';
import type { Finding } from './finding.ts';

/** An address from TEST-NET-2 (RFC 5737): never a real client. */
export const SPOOFED_ADDRESS = '198.51.100.77';
const ONE_YEAR_SECONDS = 31_536_000;
const TIMEOUT_MS = 5000;

export interface LiveCheckInput {
  config: Readonly<Config>;
  url: string;
  fetch?: typeof fetch;
}

function hstsFindings(config: Readonly<Config>, header: string | null): Finding[] {
  if (config.env !== 'production') return [];
  if (header === null) return [{ level: 'error', code: 'live.hsts_missing' }];
  const maxAge = Number(/max-age=(\d+)/i.exec(header)?.[1] ?? 0);
  if (maxAge < ONE_YEAR_SECONDS || !/includesubdomains/i.test(header)) return [{ level: 'warn', code: 'live.hsts_weak', params: { header } }];
  return [];
}

function headerFindings(headers: Headers): Finding[] {
  const missing: string[] = [];
  const csp = headers.get('content-security-policy') ?? '';
  if (!csp || /script-src[^;]*'unsafe-(inline|eval)'/.test(csp)) missing.push('Content-Security-Policy');
  if (headers.get('x-content-type-options') !== 'nosniff') missing.push('X-Content-Type-Options');
  if (!/frame-ancestors 'none'/.test(csp) && headers.get('x-frame-options') !== 'DENY') missing.push('frame-ancestors');
  if (!headers.get('referrer-policy')) missing.push('Referrer-Policy');
  return missing.length > 0 ? [{ level: 'error', code: 'live.headers_missing', params: { headers: missing.join(', ') } }] : [];
}

function cookieFindings(config: Readonly<Config>, setCookies: string[]): Finding[] {
  const cookie = setCookies.find((line) => line.startsWith(`${config.sessions.cookieName}=`));
  if (!cookie) return [];
  const missing = ['HttpOnly', 'SameSite'].filter((flag) => !new RegExp(`;\\s*${flag}`, 'i').test(cookie));
  if (config.env === 'production' && !/;\s*Secure/i.test(cookie)) missing.push('Secure');
  return missing.length > 0 ? [{ level: 'error', code: 'live.cookie_flags', params: { cookie: config.sessions.cookieName, flags: missing.join(', ') } }] : [];
}

export async function liveFindings({ config, url, fetch: fetchImpl = fetch }: LiveCheckInput): Promise<Finding[]> {
  const base = url.replace(/\/+$/, '');
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetchImpl(`${base}${path}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  let health: Response;
  try {
    health = await get('/healthz');
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return [{ level: 'error', code: 'live.unreachable', params: { url: base, reason: cause } }];
  }
  if (health.status !== 200) return [{ level: 'error', code: 'live.unhealthy', params: { url: base, status: health.status } }];
  const findings: Finding[] = [...hstsFindings(config, health.headers.get('strict-transport-security')), ...headerFindings(health.headers)];
  const csrf = await get('/api/v1/csrf');
  findings.push(...cookieFindings(config, csrf.headers.getSetCookie()));

  const diagnosis = await get('/api/v1/diagnostics/request', { 'x-forwarded-for': SPOOFED_ADDRESS });
  if (diagnosis.ok) {
    const seen = (await diagnosis.json()) as { ip: string; protocol: string; host: string };
    if (seen.ip === SPOOFED_ADDRESS) findings.push({ level: 'error', code: 'live.ip_spoofable', params: { address: SPOOFED_ADDRESS } });
    else findings.push({ level: 'info', code: 'live.ip_resolved', params: { address: seen.ip } });
    const expected = new URL(config.baseUrl);
    // Through the public host (the scheme may differ: a plain-http check of an https site).
    if (new URL(base).host === expected.host) {
      const scheme = expected.protocol.replace(':', '');
      if (seen.protocol !== scheme) findings.push({ level: 'error', code: 'live.protocol_mismatch', params: { seen: seen.protocol, expected: scheme } });
      if (seen.host !== expected.host) findings.push({ level: 'error', code: 'live.host_mismatch', params: { seen: seen.host, expected: expected.host } });
    } else {
      findings.push({ level: 'info', code: 'live.other_origin', params: { url: new URL(base).origin, baseUrl: expected.origin } });
    }
  }
  if (!findings.some((finding) => finding.level === 'error' || finding.level === 'warn')) findings.push({ level: 'ok', code: 'live.ok', params: { url: base } });
  return findings;
}
