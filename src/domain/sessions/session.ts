/**
 * Pure session rules: what a session is, and when it is over. No I/O here.
 *
 * A session ends at the first of: its absolute expiry (`expiresAt`, fixed at sign-in) and
 * `lastSeenAt + idleTimeout` (sliding). `lastSeenAt` is written at most once per
 * `touchIntervalSeconds`, so idle expiry is precise to that interval.
 */
import type { SessionConfig } from '../../config.ts';

export interface Session {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  idHash: string;
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
}

export type SessionRules = Pick<SessionConfig, 'idleTimeoutSeconds' | 'absoluteLifetimeSeconds' | 'touchIntervalSeconds'>;

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
