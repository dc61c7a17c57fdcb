/**
 * What `gatehouse doctor` says about the forward-auth settings: a pure function of the
 * configuration (no I/O), returning stable codes with their parameters; the caller words
 * them (catalog keys `doctor.forward_auth.<code>` are the coordinator's to add).
 */
import { isHostUnder, isIpAddress, isPublicSuffix } from './hostnames.ts';

export interface ForwardAuthFinding {
  level: 'error' | 'warn' | 'info';
  code: string;
  params: Record<string, string | number>;
}

/** The slice of Config this reads (config.ts's Config satisfies it). */
export interface ForwardAuthSettings {
  readonly env: 'development' | 'production' | 'test';
  readonly baseUrl: string;
  readonly trustProxy: boolean | number | readonly string[];
  readonly forwardAuth: { readonly domains: readonly string[]; readonly cookieDomain?: string | undefined };
}

/** Findings about FORWARD_AUTH_DOMAINS, FORWARD_AUTH_COOKIE_DOMAIN, TRUST_PROXY and BASE_URL; never throws. */
export function forwardAuthFindings(config: ForwardAuthSettings): ForwardAuthFinding[] {
  const { domains, cookieDomain } = config.forwardAuth;
  const findings: ForwardAuthFinding[] = [];
  if (domains.length === 0) {
    findings.push({ level: 'info', code: 'forward_auth_off', params: {} });
    if (cookieDomain !== undefined) findings.push({ level: 'warn', code: 'cookie_domain_without_domains', params: { cookieDomain } });
    return findings;
  }
  // Without TRUST_PROXY no peer is trusted: every verify call is refused (403).
  if (config.trustProxy === false || config.trustProxy === 0) findings.push({ level: 'error', code: 'trust_proxy_unset', params: {} });
  // TRUST_PROXY=true trusts every peer: anyone who reaches Gatehouse directly can name any target.
  if (config.trustProxy === true) findings.push({ level: 'warn', code: 'trust_proxy_everyone', params: {} });
  // A hop count cannot tell the proxy from anyone else who connects: the nearest peer is trusted whoever it is.
  if (typeof config.trustProxy === 'number' && config.trustProxy > 0) findings.push({ level: 'warn', code: 'trust_proxy_hops', params: { hops: config.trustProxy } });
  const base = new URL(config.baseUrl);
  if (config.env === 'production' && base.protocol === 'http:') findings.push({ level: 'error', code: 'base_url_http', params: { baseUrl: config.baseUrl } });
  for (const domain of domains) {
    if (isIpAddress(domain)) findings.push({ level: 'warn', code: 'domain_is_ip', params: { domain } });
    else if (isPublicSuffix(domain)) findings.push({ level: 'error', code: 'domain_public_suffix', params: { domain } });
  }
  if (cookieDomain !== undefined) {
    if (isPublicSuffix(cookieDomain)) findings.push({ level: 'error', code: 'cookie_domain_public_suffix', params: { cookieDomain } });
    if (!isHostUnder(base.hostname, cookieDomain)) findings.push({ level: 'error', code: 'cookie_domain_not_parent_of_base_url', params: { cookieDomain, host: base.hostname } });
    for (const domain of domains) {
      if (!isHostUnder(domain, cookieDomain)) findings.push({ level: 'warn', code: 'domain_outside_cookie_domain', params: { domain, cookieDomain } });
    }
  } else {
    // Without the proxy cookie only Gatehouse's own host carries the session: apps on other hosts always see "signed out".
    const outside = domains.filter((domain) => domain !== base.hostname);
    if (outside.length > 0) findings.push({ level: 'warn', code: 'no_cookie_domain', params: { domains: outside.join(',') } });
  }
  return findings;
}
