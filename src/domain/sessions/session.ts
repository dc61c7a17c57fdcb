/**
 * Pure session rules: what a session is, and when it is over. No I/O here.
 *
 * A session ends at the first of: its absolute expiry (`expiresAt`, fixed at sign-in) and
 * `lastSeenAt + idleTimeout` (sliding). `lastSeenAt` is written at most once per
 * `touchIntervalSeconds`, so idle expiry is precise to that interval.
 */
import { randomBytes } from 'node:crypto';

export interface Session {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  idHash: string;
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  /** The user's credential version when the session was made; a newer one voids it. */
  credentialVersion: number;
  /**
   * The name pages and the API give the session (random, neither the token nor its hash).
   * Set by `startSession`; a store given a session without one makes one up.
   */
  publicId?: string;
  /** When the session last confirmed its password at /sudo (null or absent: never; the sign-in counts). */
  reauthenticatedAt?: Date | null;
  /**
   * How its sign-in was proven (RFC 8176 names: `pwd`, `otp`, `hwk` for a passkey, `mfa` when
   * two factors were); absent on sessions made before issue #12 (read as `pwd`).
   */
  authMethods?: readonly string[];
  /** SHA-256 (hex) of the forward-auth proxy cookie's token (issue #13); absent or null: none minted. */
  proxyTokenHash?: string | null;
}

/** True when the session's sign-in passed a second factor (or a passkey, which is one and more). */
export function hasSecondFactor(session: Session): boolean {
  const methods = session.authMethods ?? [];
  return methods.includes('mfa') || methods.includes('hwk');
}

/** The session's last authentication: its sign-in, or a later confirmation at /sudo. */
export function lastAuthenticatedAt(session: Session): Date {
  const again = session.reauthenticatedAt;
  return again && again.getTime() > session.createdAt.getTime() ? again : session.createdAt;
}

/** Sudo mode: whether the last authentication is recent enough for a sensitive action. */
export function isRecentlyAuthenticated(session: Session, nowMs: number, sudoSeconds: number): boolean {
  return nowMs - lastAuthenticatedAt(session).getTime() < sudoSeconds * 1000;
}

/** A new public id: 128 random bits, base64url (22 characters). */
export function newPublicId(): string {
  return randomBytes(16).toString('base64url');
}

const PUBLIC_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function isWellFormedPublicId(value: string): boolean {
  return PUBLIC_ID_PATTERN.test(value);
}

/** Whether a stored session is still signed in: not expired and made under the user's current credentials. */
export function isSessionLive(session: Session, user: { credentialVersion: number }, nowMs: number, rules: SessionRules): boolean {
  return !isSessionExpired(session, nowMs, rules) && isSessionCurrent(session, user);
}

/** How long sessions live (the domain's own option type; config.ts's SessionConfig satisfies it). */
export interface SessionRules {
  /** Sliding idle timeout (ASVS v5.0.0-7.3.1; 30 minutes by default). */
  idleTimeoutSeconds: number;
  /** Absolute lifetime from sign-in, whatever the activity (ASVS v5.0.0-7.3.2; 12 h by default). */
  absoluteLifetimeSeconds: number;
  /** How often at most `lastSeenAt` is written for one session (idle expiry precision). */
  touchIntervalSeconds: number;
}

/**
 * Whether the session still stands for its user's current credentials: a password change,
 * reset or revocation moves the user's version on, and every session made before is void.
 */
export function isSessionCurrent(session: Session, user: { credentialVersion: number }): boolean {
  return session.credentialVersion === user.credentialVersion;
}

export function isSessionExpired(session: Session, nowMs: number, rules: SessionRules): boolean {
  if (nowMs >= session.expiresAt.getTime()) return true;
  return nowMs >= session.lastSeenAt.getTime() + rules.idleTimeoutSeconds * 1000;
}

export function shouldTouchSession(session: Session, nowMs: number, rules: SessionRules): boolean {
  return nowMs - session.lastSeenAt.getTime() >= rules.touchIntervalSeconds * 1000;
}

export function newSessionExpiry(nowMs: number, rules: SessionRules): Date {
  return new Date(nowMs + rules.absoluteLifetimeSeconds * 1000);
}
