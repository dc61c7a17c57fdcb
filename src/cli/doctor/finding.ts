/**
 * What `gatehouse doctor` reports: findings, each with a level, a stable code and the values
 * its sentence needs. The sentences (what is wrong, and the fix) are the catalog's
 * `doctor.<code>` and `doctor.<code>.fix`, in the terminal's language; the code is the same in
 * every language (`--json` carries it). No finding ever holds a secret: params are names,
 * counts, hosts and addresses.
 */
import type { MessageKey, MessageParams } from '../../messages/catalog.ts';

export type FindingLevel = 'error' | 'warn' | 'info' | 'ok';

export const DOCTOR_CODES = [
  'secret.environment',
  'secret.file',
  'secret.missing',
  'secret.weak',
  'secret.unusable',
  'pepper.missing',
  'env.not_production',
  'base_url.missing',
  'base_url.ip',
  'base_url.http',
  'trust_proxy.every_hop',
  'trust_proxy.unset',
  'two_factor.admins_optional',
  'throttle.memory',
  'throttle.global_off',
  'instances.sqlite',
  'instances.throttle_not_shared',
  'instances.request_limit_per_process',
  'instances.shared',
  'database.missing',
  'database.unreachable',
  'database.pending',
  'database.ok',
  'redis.unreachable',
  'redis.ok',
  'admins.none',
  'mail.outbox',
  'mail.smtp_unreachable',
  'mail.smtp_ok',
  'mail.failed',
  'mail.stuck',
  'live.unreachable',
  'live.unhealthy',
  'live.other_origin',
  'live.protocol_mismatch',
  'live.host_mismatch',
  'live.hsts_missing',
  'live.hsts_weak',
  'live.headers_missing',
  'live.cookie_flags',
  'live.ip_spoofable',
  'live.ip_resolved',
  'live.ok',
  'forward_auth.forward_auth_off',
  'forward_auth.cookie_domain_without_domains',
  'forward_auth.trust_proxy_unset',
  'forward_auth.trust_proxy_everyone',
  'forward_auth.trust_proxy_hops',
  'forward_auth.domain_is_ip',
  'forward_auth.domain_public_suffix',
  'forward_auth.cookie_domain_public_suffix',
  'forward_auth.cookie_domain_not_parent_of_base_url',
  'forward_auth.domain_outside_cookie_domain',
  'forward_auth.no_cookie_domain',
  'oidc.no_clients',
  'oidc.clients',
  'oidc.keys_pending',
  'oidc.keys_ok',
  'oidc.keys_old',
  'oidc.keys_unreadable',
  'oidc.client_secrets_unreadable',
  'oidc.rs256_clients',
] as const;

export type DoctorCode = (typeof DOCTOR_CODES)[number];

export interface Finding {
  level: FindingLevel;
  code: DoctorCode;
  params?: MessageParams;
}

/** Compile-time check: every code has its two sentences in the catalog. */
type MissingSentences = Exclude<`doctor.${DoctorCode}` | `doctor.${DoctorCode}.fix`, MessageKey>;
const everyCodeHasSentences: MissingSentences extends never ? true : MissingSentences = true;
void everyCodeHasSentences;

export function problemKey(code: DoctorCode): MessageKey {
  return `doctor.${code}` as MessageKey;
}

export function fixKey(code: DoctorCode): MessageKey {
  return `doctor.${code}.fix` as MessageKey;
}

export const LEVEL_ORDER: Record<FindingLevel, number> = { error: 0, warn: 1, info: 2, ok: 3 };
