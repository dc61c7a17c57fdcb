/**
 * Sign-in: find → throttle → verify → rehash → new session.
 *
 * Every failure (unknown user, wrong password, disabled account, no usable password) is the
 * same `rejected` outcome after the same work: one argon2id verification, against a dummy
 * hash when there is no real one, so neither the answer nor its timing reveals whether an
 * account exists (ASVS 2.2.1 / 3.2; the leak to avoid is an early return).
 * Throttled attempts do no hashing at all, so a flood costs the server nothing.
 */
import type { PasswordHasher } from '../passwords/hasher.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { UserStore } from '../ports.ts';
import { normalizeEmail, normalizeUsername, type User } from '../users/user.ts';

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The login limiters as the sign-in flow sees them (implemented in domain/throttle). */
export interface LoginGuard {
  /** Decides before any hashing whether this (account, ip) may try now. */
  checkAttempt(accountKey: string, ip: string): Promise<ThrottleDecision>;
  recordFailure(accountKey: string, ip: string): Promise<void>;
  recordSuccess(accountKey: string, ip: string): Promise<void>;
}

export type LoginResult =
  | { kind: 'signed-in'; user: User; token: string; mustChangePassword: boolean }
  | { kind: 'rejected' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface LoginInput {
  identifier: string;
  password: string;
  /** The client's throttle key (an IPv4 address, or an IPv6 /64). */
  ip: string;
  /** The client's address as seen, recorded with the session; `ip` when not given. */
  clientIp?: string;
  userAgent: string;
}

/** The lookup form of what was typed: a normalised email or username. */
export function loginIdentifierKey(identifier: string): string {
  return identifier.includes('@') ? normalizeEmail(identifier) : normalizeUsername(identifier);
}

/**
 * The throttle key of an account: one per account however it was named (username or email,
 * any spelling), so switching spellings earns no extra guesses; unknown names get their own.
 */
export function throttleAccountKey(user: { id: number } | undefined, identifierKey: string): string {
  return user ? `user:${user.id}` : `unknown:${identifierKey}`;
}

export function createLoginService(deps: {
  users: UserStore;
  sessions: SessionService;
  hasher: PasswordHasher;
  guard: LoginGuard;
  /**
   * The policy as sign-in applies it: its fingerprint, and whether a password fails it. The
   * check runs only when the user's password was last checked under another fingerprint.
   */
  policy?: { fingerprint: string; fails(password: string, user: User): boolean };
}) {
  const { users, sessions, hasher, guard } = deps;

  return {
    async signIn(input: LoginInput): Promise<LoginResult> {
      const identifierKey = loginIdentifierKey(input.identifier);
      // One indexed read before the throttle decides; no hashing happens before it.
      const user = identifierKey === '' ? undefined : await users.findUserForLogin(identifierKey);
      const accountKey = throttleAccountKey(user, identifierKey);
      const decision = await guard.checkAttempt(accountKey, input.ip);
      if (!decision.allowed) return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };

      let valid = false;
      if (user?.passwordHash) {
        valid = await hasher.verifyPassword(user.passwordHash, input.password);
      } else {
        await hasher.verifyDummy(input.password);
      }
      if (!user || !valid || user.disabled) {
        await guard.recordFailure(accountKey, input.ip);
        return { kind: 'rejected' };
      }
      await guard.recordSuccess(accountKey, input.ip);

      // ASVS 2.1.7: a password that no longer passes the policy (the list grew, the minimum
      // rose) still signs in, but the user must choose a new one before anything else.
      const policy = deps.policy;
      const recheck = policy !== undefined && user.passwordPolicy !== policy.fingerprint;
      const mustChangePassword = user.mustChangePassword || (recheck && policy.fails(input.password, user));
      const state = { mustChangePassword, passwordPolicy: policy?.fingerprint ?? user.passwordPolicy };
      // Upgrade the stored hash only after a correct password (Django's must_update).
      if (hasher.needsRehash(user.passwordHash!)) {
        await users.updatePasswordHash(user.id, await hasher.hashPassword(input.password), state);
      } else if (recheck) {
        await users.setPasswordState(user.id, state);
      }
      const { token } = await sessions.startSession(user.id, { ip: input.clientIp ?? input.ip, userAgent: input.userAgent });
      const { passwordHash: _hash, passwordPolicy: _policy, ...publicUser } = user;
      return { kind: 'signed-in', user: { ...publicUser, mustChangePassword }, token, mustChangePassword };
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
