/**
 * The forward-auth target (the URL the user asked the proxy for) and the `rd` return address
 * after sign-in: one check for both, so nothing Gatehouse redirects to can leave
 * FORWARD_AUTH_DOMAINS (ASVS v5.0.0-3.7.2, v5.0.0-1.2.2). Pure; returns codes, never throws.
 *
 * The raw string is checked before any URL parser sees it, because parsers disagree about
 * strings a browser still follows (the subdomain and userinfo tricks of oauth2-proxy's
 * GHSA-4mf2-f3wh-gvf2): it must start `http://` or `https://` followed by a host; no
 * backslash, whitespace or control character anywhere; in the authority no `@` (userinfo),
 * no `%` (percent-encoded host) and nothing outside ASCII (IDNs are listed in their `xn--`
 * form). The parsed host must then be the raw one, lower-cased, and lie on a dot boundary
 * under a listed domain. Ports are allowed.
 */
import { isHostAllowed, normalizeHostname } from './hostnames.ts';

export interface TargetPolicy {
  /** FORWARD_AUTH_DOMAINS, lower case. */
  readonly domains: readonly string[];
  /** Plain http targets (NODE_ENV=development only). */
  readonly allowHttp: boolean;
}

export type TargetRefusal = 'target_malformed' | 'target_scheme' | 'target_insecure' | 'target_userinfo' | 'target_host';

export type TargetCheck = { ok: true; url: string; origin: string; host: string } | { ok: false; code: TargetRefusal };

/** A URL long enough for any real page, short enough to keep the check cheap. */
export const TARGET_MAX_LENGTH = 4096;

const SCHEME_AND_AUTHORITY = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i;

/** Checks a target or `rd` URL against the policy: `ok` with its normalised form, or the reason. */
export function checkTarget(raw: unknown, policy: TargetPolicy): TargetCheck {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > TARGET_MAX_LENGTH) return { ok: false, code: 'target_malformed' };
  // Control characters (C0, DEL, C1), whitespace and backslashes: browsers strip or reinterpret them.
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(raw)) return { ok: false, code: 'target_malformed' };
  const head = SCHEME_AND_AUTHORITY.exec(raw);
  if (!head) return { ok: false, code: /^[a-z][a-z0-9+.-]*:/i.test(raw) ? 'target_scheme' : 'target_malformed' };
  const scheme = head[1]!.toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return { ok: false, code: 'target_scheme' };
  const authority = head[2]!;
  if (authority.includes('@')) return { ok: false, code: 'target_userinfo' };
  if (authority.includes('%') || /[^\u0021-\u007e]/.test(authority)) return { ok: false, code: 'target_host' };
  const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(authority)!;
  const rawHost = normalizeHostname(portMatch[1]!);
  if (rawHost === undefined) return { ok: false, code: 'target_host' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, code: 'target_malformed' };
  }
  // The parser must agree with what was read above (no second opinion about the host).
  if (url.hostname !== rawHost || url.username !== '' || url.password !== '') return { ok: false, code: 'target_host' };
  if (!isHostAllowed(url.hostname, policy.domains)) return { ok: false, code: 'target_host' };
  if (scheme === 'http' && !policy.allowHttp) return { ok: false, code: 'target_insecure' };
  return { ok: true, url: url.href, origin: url.origin, host: url.hostname };
}

/**
 * The target of a Traefik/Caddy request, from `X-Forwarded-Proto`, `-Host` and `-Uri`: the
 * same check as a whole URL. `uri` must be a path (starting with one `/`).
 */
export function targetFromForwarded(parts: { proto: unknown; host: unknown; uri: unknown }, policy: TargetPolicy): TargetCheck {
  const { proto, host, uri } = parts;
  if (typeof proto !== 'string' || typeof host !== 'string') return { ok: false, code: 'target_malformed' };
  const path = typeof uri === 'string' && uri.length > 0 ? uri : '/';
  if (!path.startsWith('/') || path.startsWith('//')) return { ok: false, code: 'target_malformed' };
  if (!/^https?$/i.test(proto)) return { ok: false, code: 'target_scheme' };
  // The host header may carry a port; no slash, `@` or `?` may ride along (the check below reads the authority).
  if (/[/?#@\\]/.test(host)) return { ok: false, code: 'target_host' };
  return checkTarget(`${proto.toLowerCase()}://${host}${path}`, policy);
}
