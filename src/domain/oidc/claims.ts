/**
 * What the OpenID Connect provider says about a user (issue #13): the scopes it offers,
 * the claims each scope releases, and the authentication context (`acr`, `amr`) of a
 * Gatehouse sign-in. Pure: no I/O, no library types.
 *
 * `sub` is the user's stable random OIDC subject (users.oidc_subject), never the numeric id
 * or the username, so it reveals nothing, cannot be guessed and survives renames.
 * `amr` uses the RFC 8176 names the session already records (`pwd`, `otp`, `hwk`, `mfa`);
 * `acr` is `urn:gatehouse:mfa` when a second factor (or a passkey) was used, else
 * `urn:gatehouse:pwd`.
 */
import type { User } from '../users/user.ts';

/** Scopes the provider knows; `offline_access` asks for a refresh token that outlives the provider session. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

/** The claims each scope releases (oidc-provider's `claims` option). */
export const OIDC_SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  openid: ['sub'],
  profile: ['preferred_username', 'name'],
  email: ['email', 'email_verified'],
  groups: ['groups'],
});

export const ACR_PASSWORD = 'urn:gatehouse:pwd';
export const ACR_MULTI_FACTOR = 'urn:gatehouse:mfa';
/** Published as `acr_values_supported`, weakest first. */
export const ACR_VALUES = [ACR_PASSWORD, ACR_MULTI_FACTOR] as const;

const KNOWN_METHODS = new Set(['pwd', 'otp', 'hwk', 'mfa', 'swk']);

/** `acr` and `amr` of a sign-in proven by `authMethods` (Session.authMethods; absent: `pwd`). */
export function authenticationContext(authMethods: readonly string[] | undefined): { acr: string; amr: string[] } {
  const amr = [...new Set((authMethods && authMethods.length > 0 ? authMethods : ['pwd']).filter((method) => KNOWN_METHODS.has(method)))];
  if (amr.length === 0) amr.push('pwd');
  const multiFactor = amr.includes('mfa') || amr.includes('hwk') || (amr.includes('pwd') && amr.includes('otp'));
  if (multiFactor && !amr.includes('mfa')) amr.push('mfa');
  return { acr: multiFactor ? ACR_MULTI_FACTOR : ACR_PASSWORD, amr };
}

/** The claims released for `scopes` (a set of granted scope names); always `sub`. */
export function claimsFor(user: Pick<User, 'username' | 'email' | 'emailVerifiedAt' | 'role'>, subject: string, scopes: ReadonlySet<string>): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: subject };
  if (scopes.has('profile')) {
    claims.preferred_username = user.username;
    claims.name = user.username;
  }
  if (scopes.has('email')) {
    claims.email = user.email;
    claims.email_verified = user.emailVerifiedAt !== null;
  }
  if (scopes.has('groups')) claims.groups = [user.role];
  return claims;
}

/** The scopes of a space-separated request that the provider knows, in catalogue order. */
export function knownScopes(requested: string): OidcScope[] {
  const asked = new Set(requested.split(' ').filter(Boolean));
  return OIDC_SCOPES.filter((scope) => asked.has(scope));
}
