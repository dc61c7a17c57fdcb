/**
 * Sign-in as a sequence of steps:
 *   1. `authenticate`: find → throttle → verify → re-hash/policy check; returns why it
 *      refused (for tests, logs and the audit log), never starts a session;
 *   2. a second step when the account has one (issue #12: `second-factor-required`);
 *   3. `completeSignIn`: resets the throttle, starts a new session (a new token every time:
 *      ASVS v5.0.0-7.2.4), ends the one it replaces, and says which gates stand before the
 *      account's pages (gates.ts).
 *
 * Every refusal (unknown user, wrong password, disabled account, no usable password) costs
 * the same work: one password verification, through the hasher's dispatch, against a dummy
 * argon2id hash when there is no real one, so neither the answer nor its timing reveals
 * whether an account exists (ASVS v5.0.0-6.3.8; the leak to avoid is an early return). HTTP
 * collapses every `rejected` into one generic message. Throttled attempts do no hashing.
 */
import { identifyHash, type PasswordHasher } from '../passwords/hasher.ts';
import { AUDIT_USER_AGENT_MAX, type AuditChannel, type AuditContext, type AuditDetails } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { AuditLog, CredentialStore, TokenStore, UserStore } from '../ports.ts';
import type { Session } from '../sessions/session.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { normalizeEmail, normalizeUsername, type User, type UserWithPassword } from '../users/user.ts';
import { signInGates, type SignInGate } from './gates.ts';
import type { DeviceRecognition } from '../devices/device-recognition.ts';

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The login limiters as the sign-in flow sees them (implemented in domain/throttle). */
export interface LoginGuard {
  /** Decides before any hashing whether this (account, ip) may try now. */
  checkAttempt(accountKey: string, ip: string): Promise<ThrottleDecision>;
  recordFailure(accountKey: string, ip: string): Promise<void>;
  recordSuccess(accountKey: string, ip: string): Promise<void>;
  /** An operator's `unblock`: clears the account's window and its pairs with each of `ips` (throttle keys). */
  clearAccount(accountKey: string, ips: readonly string[]): Promise<void>;
}

/** Who is signing in, as the domain needs it. */
export interface SignInClient {
  /** The client's throttle key (an IPv4 address, or an IPv6 /64). */
  throttleKey: string;
  /** The client's address as seen, recorded with the session. */
  ip: string;
  userAgent: string;
  /** The browser's device token (the `gatehouse_device` cookie), when it has one. */
  deviceToken?: string | null;
  /** The language of any notice this sign-in sends. */
  locale?: string;
  /** Pages or API, for the audit log (default `web`). */
  channel?: AuditChannel;
}

/** The audit context of a sign-in step: the account acts once it is known to be its owner. */
export function signInAuditContext(client: SignInClient, actorUserId: number | null): AuditContext {
  return { actorUserId, ip: client.ip, userAgent: client.userAgent.slice(0, AUDIT_USER_AGENT_MAX), channel: client.channel ?? 'web' };
}

/** One recorded throttled attempt per (account, client) per this long (see recordRefusalLater). */
const THROTTLED_WINDOW_MS = 60_000;
const THROTTLED_KEYS_MAX = 10_000;

/** The audit log's name of a refusal (stable, snake_case: README "Audit log"). */
const REFUSAL_REASON: Readonly<Record<RejectionReason | 'throttled' | 'unverified' | 'second-factor', string>> = {
  'second-factor': 'second_factor_failed',
  'unknown-user': 'unknown_user',
  'bad-password': 'bad_password',
  disabled: 'disabled',
  'no-password': 'no_password',
  throttled: 'throttled',
  unverified: 'unverified',
};

/** Why a sign-in was refused. Internal only: every reason looks the same from outside. */
export type RejectionReason = 'unknown-user' | 'bad-password' | 'disabled' | 'no-password';

export type AuthenticationResult =
  | { kind: 'authenticated'; user: User }
  /** The password was right and the account has two-factor on: a second step (second-step.ts), no session yet. */
  | { kind: 'second-factor-required'; user: User }
  | { kind: 'rejected'; reason: RejectionReason }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface CompletedSignIn {
  /** The new session's token: for the cookie, nowhere else. */
  token: string;
  session: Session;
  user: User;
  /** What must happen before the account's pages open, in order; empty when nothing. */
  gates: SignInGate[];
  /** The device token the browser keeps (`gatehouse_device`), when devices are recognised. */
  deviceToken?: string;
  /** The forward-auth proxy cookie's token (FORWARD_AUTH_COOKIE_DOMAIN set): for that cookie, nowhere else. */
  proxyToken?: string;
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

/** The public user, without the hash and policy fingerprint the sign-in read. */
function publicUser(user: UserWithPassword, mustChangePassword: boolean): User {
  const { passwordHash: _hash, passwordPolicy: _policy, ...rest } = user;
  return { ...rest, mustChangePassword };
}

export interface LoginServiceDependencies {
  users: UserStore;
  credentials: CredentialStore;
  sessions: SessionService;
  hasher: PasswordHasher;
  guard: LoginGuard;
  /** For voiding the user's outstanding reset links at a successful sign-in (issue #10). */
  tokens?: Pick<TokenStore, 'deleteTokensForUser'>;
  /** Recognises the browser and sends the new-device notice (issue #10). */
  devices?: Pick<DeviceRecognition, 'recordSignIn'>;
  /**
   * The policy as sign-in applies it: its fingerprint, and whether a password fails it. The
   * check runs only when the user's password was last checked under another fingerprint.
   */
  policy?: { fingerprint: string; fails(password: string, user: User): boolean };
  /**
   * Every outcome is recorded: `login.failed` with its internal reason (the answer stays
   * generic), `login.succeeded`, `logout`. One short transaction each (audit-store.ts): a
   * refused attempt already spent a password verification, or (throttled) three peeks.
   */
  audit?: AuditLog;
  /** Whether the account has two-factor sign-in on (issue #12). */
  twoFactor?: { isEnabled(userId: number): Promise<boolean> };
  /** The time of the throttled-attempt coalescing window; the system clock when absent. */
  clock?: Clock;
}

export function createLoginService(deps: LoginServiceDependencies) {
  const { users, credentials, sessions, hasher, guard } = deps;

  /** After a correct password: re-hash with current parameters, re-check a changed policy. */
  async function refreshPassword(user: UserWithPassword, password: string): Promise<boolean> {
    // ASVS v5.0.0-6.2.x: a password that no longer passes the policy (the list grew, the
    // minimum rose) still signs in, but the user must choose a new one before anything else.
    const policy = deps.policy;
    const recheck = policy !== undefined && user.passwordPolicy !== policy.fingerprint;
    const mustChangePassword = user.mustChangePassword || (recheck && policy.fails(password, user));
    const state = { mustChangePassword, passwordPolicy: policy?.fingerprint ?? user.passwordPolicy };
    // Upgrade the stored hash only after a correct password (Django's must_update); the same
    // password re-hashed is no credential change, so sessions keep their version.
    if (hasher.needsRehash(user.passwordHash!)) {
      await credentials.rehashPassword(user.id, await hasher.hashPassword(password), state);
    } else if (recheck) {
      await credentials.setPasswordState(user.id, state);
    }
    return mustChangePassword;
  }

  /** No username typed is kept (it may be a password typed in the wrong field): the account's id when known. */
  async function recordRefusal(userId: number | null, reason: RejectionReason | 'throttled' | 'unverified' | 'second-factor', client: SignInClient): Promise<void> {
    await deps.audit?.record({ type: 'login.failed', outcome: 'failure', targetUserId: userId, details: { reason: REFUSAL_REASON[reason] } }, signInAuditContext(client, null));
  }

  /**
   * Throttled attempts, coalesced: the first per (account, client) in each minute is recorded;
   * the rest are counted and the next recorded one says how many went unrecorded (`suppressed`).
   * A flood against a blocked pair therefore costs one write a minute, not one per request
   * (each write is a transaction on the chain lock). Bounded: at most THROTTLED_KEYS_MAX pairs
   * are remembered; the oldest is forgotten first. Counts still pending at shutdown are lost.
   */
  const throttledSeen = new Map<string, { windowStart: number; suppressed: number }>();

  function recordRefusalLater(userId: number | null, client: SignInClient): void {
    const key = `${userId ?? '-'}\u0000${client.throttleKey}`;
    const nowMs = deps.clock?.now() ?? Date.now();
    const seen = throttledSeen.get(key);
    if (seen && nowMs - seen.windowStart < THROTTLED_WINDOW_MS) {
      seen.suppressed += 1;
      return;
    }
    throttledSeen.delete(key);
    if (throttledSeen.size >= THROTTLED_KEYS_MAX) throttledSeen.delete(throttledSeen.keys().next().value!);
    throttledSeen.set(key, { windowStart: nowMs, suppressed: 0 });
    const details: AuditDetails = seen && seen.suppressed > 0 ? { reason: REFUSAL_REASON.throttled, suppressed: seen.suppressed } : { reason: REFUSAL_REASON.throttled };
    const event = { type: 'login.failed' as const, outcome: 'failure' as const, targetUserId: userId, details };
    if (deps.audit?.enqueue) deps.audit.enqueue(event, signInAuditContext(client, null));
    else void deps.audit?.record(event, signInAuditContext(client, null));
  }

  return {
    /**
     * A correct password that still opens nothing (REQUIRE_EMAIL_VERIFICATION and an
     * unconfirmed address): recorded as a failed sign-in with its reason.
     */
    async refuseUnverified(user: User, client: SignInClient): Promise<void> {
      await recordRefusal(user.id, 'unverified', client);
    },

    /** A wrong (or reused) second factor at the second step: a failed sign-in, with its reason. */
    async refuseSecondFactor(user: User, client: SignInClient): Promise<void> {
      await recordRefusal(user.id, 'second-factor', client);
    },

    /** Step 1: is this the account's password? Starts no session; never throws for a refusal. */
    async authenticate(input: { identifier: string; password: string; client: SignInClient }): Promise<AuthenticationResult> {
      const identifierKey = loginIdentifierKey(input.identifier);
      const ip = input.client.throttleKey;
      // One indexed read before the throttle decides; no hashing happens before it.
      const user = identifierKey === '' ? undefined : await users.findUserForLogin(identifierKey);
      const accountKey = throttleAccountKey(user, identifierKey);
      const decision = await guard.checkAttempt(accountKey, ip);
      if (!decision.allowed) {
        // Not awaited: a blocked attempt does no durable write on its path (floods stay cheap);
        // the event goes with the next group commit.
        recordRefusalLater(user?.id ?? null, input.client);
        return { kind: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      }

      // The same verification for every path: the hasher dispatches on the stored hash and
      // spends a dummy argon2id verification when there is none to check.
      const valid = await hasher.verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !valid || user.disabled) {
        await guard.recordFailure(accountKey, ip);
        const reason: RejectionReason = !user ? 'unknown-user' : valid ? 'disabled' : identifyHash(user.passwordHash) === 'unusable' ? 'no-password' : 'bad-password';
        await recordRefusal(user?.id ?? null, reason, input.client);
        return { kind: 'rejected', reason };
      }
      const mustChangePassword = await refreshPassword(user, input.password);
      const verified = publicUser(user, mustChangePassword);
      if (await deps.twoFactor?.isEnabled(user.id)) return { kind: 'second-factor-required', user: verified };
      return { kind: 'authenticated', user: verified };
    },

    /**
     * The last step, for a user who passed every factor: resets the sign-in throttle of this
     * (account, client), starts a new session and ends `replacesToken`'s (an earlier session
     * of this browser, so at most one stays alive per sign-in).
     */
    async completeSignIn(input: { user: User; client: SignInClient; replacesToken?: string | null; authMethods?: readonly string[] }): Promise<CompletedSignIn> {
      const { user, client } = input;
      await guard.recordSuccess(throttleAccountKey(user, ''), client.throttleKey);
      // A sign-in proves the password is known again: a reset link still in a mailbox is void.
      // One DELETE on the tokens' (user_id, purpose) index; no transaction needed for it alone.
      await deps.tokens?.deleteTokensForUser(user.id, 'password-reset');
      if (input.replacesToken) await sessions.endSession(input.replacesToken);
      const { token, session, proxyToken } = await sessions.startSession(user, { ip: client.ip, userAgent: client.userAgent }, input.authMethods ?? ['pwd']);
      // A browser this account has not seen: a notice to its address (devices/device-recognition.ts).
      const deviceToken = await deps.devices?.recordSignIn({ user, deviceToken: client.deviceToken, ip: client.ip, userAgent: client.userAgent, locale: client.locale ?? 'en' });
      await deps.audit?.record({ type: 'login.succeeded', outcome: 'success', targetUserId: user.id, details: { methods: (input.authMethods ?? ['pwd']).join(' ') } }, signInAuditContext(client, user.id));
      return { token, session, user, gates: signInGates(user), deviceToken, ...(proxyToken === undefined ? {} : { proxyToken }) };
    },

    /**
     * Ends the session of `token` on the server; an unknown or ended one is no error.
     * `signedIn`: the user it belonged to, when it was live (a `logout` event then).
     */
    async signOut(token: string | null, signedIn?: { userId: number; by: AuditContext }): Promise<void> {
      if (token) await sessions.endSession(token);
      if (token && signedIn) await deps.audit?.record({ type: 'logout', outcome: 'success', targetUserId: signedIn.userId }, signedIn.by);
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
