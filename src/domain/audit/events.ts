/**
 * Security events (issue #11): the stable, dotted type names the audit log records, and
 * what one event holds. The names are part of the contract (README "Audit log"; filters,
 * exports and outside tools match on them): add new ones, never rename.
 *
 * An event never holds a password, a hash, a token or the text typed into a password
 * field. It names users by numeric id only, so once an account is deleted its events are a
 * pseudonymous record (the id no longer points at anyone). `details` is small and flat.
 */

import type { ChainRow } from './chain.ts';

export const AUDIT_EVENT_TYPES = [
  'user.registered',
  'user.created', // by an operator (CLI create-admin) or an import
  'users.imported',
  'login.succeeded',
  'login.failed', // details.reason: unknown_user | bad_password | disabled | no_password | throttled | unverified | second_factor_failed
  'logout',
  'session.revoked', // details.scope: one | others | all
  'sudo.succeeded',
  'sudo.failed',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'email.verification_sent',
  'email.verified',
  'email.change_requested',
  'email.changed',
  'account.secured', // "this wasn't me"
  'role.changed', // details.from, details.to
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'throttle.cleared',
  'profile.viewed', // an admin read another user's profile
  'users.listed', // an operator listed accounts (CLI list-users)
  'audit.exported', // details.format: csv | jsonl
  'audit.pruned', // details.through_seq, details.count: the retention job's checkpoint
  'two_factor.enrolled',
  'two_factor.removed',
  'two_factor.recovery_code_used',
  'two_factor.recovery_codes_regenerated',
  'passkey.added',
  'passkey.removed',
  'passkey.renamed',
  'passkey.counter_regressed', // a sign-in whose signature counter did not move forward: refused (a cloned authenticator?)
  'forward_auth.denied', // details.reason: group_required | second_factor_required | reauthentication_required | password_change_required | target_refused | untrusted_peer | rules_invalid; details.host, details.suppressed
  'oidc.client_added', // details.client_id, name, public, first_party
  'oidc.client_removed', // details.client_id, name, revoked: grants and tokens deleted with it
  'oidc.keys_rotated', // details.kids: the new signing keys; initial: true for the first keys
  'oidc.consent_granted', // details.client_id, scopes: a user allowed an application (first-party clients too)
  'oidc.grant_revoked', // details.client_id: the user revoked an application's access on /settings/apps
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export type AuditOutcome = 'success' | 'failure';
/** Where the action came from. */
export type AuditChannel = 'web' | 'api' | 'cli' | 'system';

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

export function isAuditEventType(value: unknown): value is AuditEventType {
  return typeof value === 'string' && (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

/** Who acted and from where: built once per request (or CLI run) and passed to the domain. */
export interface AuditContext {
  /** The signed-in user acting; null for a visitor, the CLI or the system. */
  actorUserId: number | null;
  ip: string | null;
  userAgent: string | null;
  channel: AuditChannel;
}

export const CLI_CONTEXT: AuditContext = Object.freeze({ actorUserId: null, ip: null, userAgent: null, channel: 'cli' });
export const SYSTEM_CONTEXT: AuditContext = Object.freeze({ actorUserId: null, ip: null, userAgent: null, channel: 'system' });

/** One event to record. */
export interface AuditEvent {
  type: AuditEventType;
  outcome: AuditOutcome;
  /** The account the event is about (the one signing in, changed, viewed); null when none is known. */
  targetUserId: number | null;
  details?: AuditDetails;
}

/** An event as stored: what its MAC covers (chain.ts), with its row id and its time as a Date. */
export interface StoredAuditEvent extends Omit<ChainRow, 'atMs'> {
  id: number;
  at: Date;
}

/** Longest user agent kept (the header is client-chosen and unbounded). */
export const AUDIT_USER_AGENT_MAX = 256;
/** Longest details value kept. */
export const AUDIT_DETAIL_MAX = 200;

/**
 * Client-supplied text made storable everywhere: NUL (which PostgreSQL refuses in text) and
 * lone surrogates become U+FFFD, and the length is capped, so a hostile value can neither
 * fail the write (losing the event) nor bloat the log.
 */
export function storableText(value: string, max: number): string {
  return value.slice(0, max).replaceAll('\u0000', '\uFFFD').toWellFormed();
}

/** Bounded, flat details (see storableText). */
export function boundDetails(details: AuditDetails | undefined): AuditDetails {
  if (!details) return {};
  const bounded: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(details)) {
    bounded[key] = typeof value === 'string' ? storableText(value, AUDIT_DETAIL_MAX) : value;
  }
  return bounded;
}
