/**
 * What operators do to accounts (the admin console, its API and the CLI): change a role,
 * disable or enable, end every session, delete, mail a reset or verification link, clear the
 * sign-in throttle. Each writes its audit event in the transaction of its change, attributed
 * to `by` (the admin's request, or the CLI); a refusal is recorded too (outcome `failure`).
 *
 * The last-admin rule: the last enabled admin cannot be demoted, disabled or deleted, or
 * nobody could administer the instance. Each such change first locks the enabled admins
 * (`lockActiveAdmins`) and only then reads its target, so of two admins demoting each other
 * at once the second sees the first's commit and is refused: the rule cannot be raced past.
 */
import type { OidcUserRevocation } from '../oidc/interaction-links.ts';
import type { AuditContext, AuditEvent } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { type LoginGuard, throttleAccountKey } from '../login/login.ts';
import type { AuditLog, FailedSignInSources, MailComposer, TransactionStores, Transactor, UserStore } from '../ports.ts';
import { queueResetLink } from '../recovery/password-reset.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { throttleKeyForIp } from '../throttle/ip-key.ts';
import { queueVerificationMail } from './email-verification.ts';
import { isRole, mailLocaleFor, normalizeUsername, type Role, type User } from './user.ts';

/** An account named by id (the console) or by username (the CLI). */
export type UserRef = { id: number } | { username: string };

export type AdminChangeResult = { ok: true; user: User } | { ok: false; reason: 'unknown_user' | 'bad_role' | 'last_admin' };
export type AdminDeleteResult = { ok: true } | { ok: false; reason: 'unknown_user' | 'last_admin' };
export type AdminSimpleResult = { ok: true } | { ok: false; reason: 'unknown_user' };

/** How far back `unblock` looks for the addresses an account was throttled from: the longest pair history (a day). */
const UNBLOCK_LOOKBACK_MS = 24 * 60 * 60 * 1000;
/** Admin mail goes out in the account's language, else English (no request language applies to the recipient). */
const FALLBACK_LOCALE = 'en';

export interface AccountAdministration {
  setRole(target: UserRef, role: string, by: AuditContext): Promise<AdminChangeResult>;
  /** Disabling also voids (credential version) and ends every session of the user. */
  setDisabled(target: UserRef, disabled: boolean, by: AuditContext): Promise<Exclude<AdminChangeResult, { reason: 'bad_role' }>>;
  /** Voids (credential version) and ends every session of the user. */
  revokeSessions(target: UserRef, by: AuditContext): Promise<{ ok: true; count: number } | { ok: false; reason: 'unknown_user' }>;
  /** Sessions, tokens, known devices, queued mail and the account go; the audit keeps the id only. */
  deleteUser(target: UserRef, by: AuditContext): Promise<AdminDeleteResult>;
  sendPasswordReset(target: UserRef, by: AuditContext): Promise<AdminSimpleResult>;
  resendVerification(target: UserRef, by: AuditContext): Promise<AdminSimpleResult | { ok: false; reason: 'already_verified' }>;
  /** Clears the account's sign-in throttle (its window, and its pairs with every address it failed from lately). */
  unblock(target: UserRef, by: AuditContext): Promise<AdminSimpleResult>;
}

export function createAccountAdministration(deps: {
  transactor: Transactor;
  users: Pick<UserStore, 'findUserById' | 'findUserByUsername'>;
  sessions: Pick<SessionService, 'endAllSessionsForUser'>;
  mailComposer?: MailComposer;
  clock: Clock;
  guard?: Pick<LoginGuard, 'clearAccount'>;
  failedSignIns?: FailedSignInSources;
  audit?: AuditLog;
  /** Revokes a deleted user's OpenID Connect grants and tokens (issue #13). */
  oidc?: OidcUserRevocation;
}): AccountAdministration {
  const { transactor, users, sessions, clock } = deps;
  const now = () => new Date(clock.now());

  function find(store: Pick<UserStore, 'findUserById' | 'findUserByUsername'>, target: UserRef): Promise<User | undefined> {
    return 'id' in target ? store.findUserById(target.id) : store.findUserByUsername(normalizeUsername(target.username));
  }

  /** True when `user` is the only enabled admin; call after `lockActiveAdmins` in the same transaction. */
  function isLastAdmin(admins: readonly number[], user: User): boolean {
    return admins.includes(user.id) && admins.length <= 1;
  }

  const refusal = (type: AuditEvent['type'], user: User, reason: string): AuditEvent => ({ type, outcome: 'failure', targetUserId: user.id, details: { reason } });

  function needed<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`account administration needs ${what}`);
    return value;
  }

  /** Runs a change that the last-admin rule guards: admins locked first, then the target read. */
  function guarded<T>(target: UserRef, work: (tx: TransactionStores, user: User, admins: readonly number[]) => Promise<T>): Promise<T | { ok: false; reason: 'unknown_user' }> {
    return transactor.run(async (tx) => {
      const admins = await tx.users.lockActiveAdmins();
      const user = await find(tx.users, target);
      if (!user) return { ok: false as const, reason: 'unknown_user' as const };
      return work(tx, user, admins);
    });
  }

  return {
    async setRole(target, role, by) {
      if (!isRole(role)) return { ok: false, reason: 'bad_role' };
      return guarded(target, async (tx, user, admins): Promise<AdminChangeResult> => {
        if (user.role === role) return { ok: true, user };
        if (role !== 'admin' && isLastAdmin(admins, user)) {
          await tx.audit.record(refusal('role.changed', user, 'last_admin'), by);
          return { ok: false, reason: 'last_admin' };
        }
        await tx.users.setRole(user.id, role as Role);
        await tx.audit.record({ type: 'role.changed', outcome: 'success', targetUserId: user.id, details: { from: user.role, to: role } }, by);
        return { ok: true, user: { ...user, role: role as Role } };
      });
    },

    async setDisabled(target, disabled, by) {
      const type = disabled ? 'user.disabled' : 'user.enabled';
      const result = await guarded(target, async (tx, user, admins) => {
        if (user.disabled === disabled) return { ok: true as const, user };
        if (disabled && isLastAdmin(admins, user)) {
          await tx.audit.record(refusal(type, user, 'last_admin'), by);
          return { ok: false as const, reason: 'last_admin' as const };
        }
        await tx.users.setDisabled(user.id, disabled);
        // The flag alone stops sessions at their next request; the new version makes that hold
        // even for a session store that misses the delete below.
        if (disabled) await tx.credentials.bumpCredentialVersion(user.id);
        await tx.audit.record({ type, outcome: 'success', targetUserId: user.id }, by);
        return { ok: true as const, user: { ...user, disabled } };
      });
      if (result.ok && disabled) await sessions.endAllSessionsForUser(result.user.id);
      return result;
    },

    async revokeSessions(target, by) {
      // Void first, by version (in SQL, with its audit row), then delete: sessions in Redis die
      // even if the delete cannot reach it.
      const user = await transactor.run(async (tx) => {
        const found = await find(tx.users, target);
        if (!found || (await tx.credentials.bumpCredentialVersion(found.id)) === undefined) return undefined;
        await tx.audit.record({ type: 'session.revoked', outcome: 'success', targetUserId: found.id, details: { scope: 'all' } }, by);
        return found;
      });
      if (!user) return { ok: false, reason: 'unknown_user' };
      return { ok: true, count: await sessions.endAllSessionsForUser(user.id) };
    },

    async deleteUser(target, by) {
      // The OIDC subject goes with the row: read it first (revoked below only if the account
      // deleted is the one read here).
      const before = deps.oidc ? await find(users, target) : undefined;
      const revokeOidc = before ? await deps.oidc!.prepare(before.id) : undefined;
      const result = await guarded(target, async (tx, user, admins) => {
        if (isLastAdmin(admins, user)) {
          await tx.audit.record(refusal('user.deleted', user, 'last_admin'), by);
          return { ok: false as const, reason: 'last_admin' as const };
        }
        await tx.tokens.deleteTokensForUser(user.id);
        await tx.mail.deleteForRecipient(user.email);
        await tx.users.deleteUser(user.id);
        // The pseudonymous record: the id alone, which no longer names anyone.
        await tx.audit.record({ type: 'user.deleted', outcome: 'success', targetUserId: user.id }, by);
        return { ok: true as const, userId: user.id };
      });
      if (!result.ok) return result;
      try {
        await sessions.endAllSessionsForUser(result.userId);
        if (revokeOidc && before?.id === result.userId) await revokeOidc();
      } catch {
        // Rows left behind (Redis away) name a user that no longer exists: they sign no one in.
      }
      return { ok: true };
    },

    async sendPasswordReset(target, by) {
      const composer = needed(deps.mailComposer, 'the mail composer');
      return transactor.run(async (tx): Promise<AdminSimpleResult> => {
        const user = await find(tx.users, target);
        if (!user) return { ok: false, reason: 'unknown_user' };
        const at = now();
        await queueResetLink(tx, composer, user, { kind: 'password-reset', locale: mailLocaleFor(user, FALLBACK_LOCALE), now: at });
        await tx.audit.record({ type: 'password.reset_requested', outcome: 'success', targetUserId: user.id, details: { by: by.channel === 'cli' ? 'operator' : 'admin' } }, by);
        return { ok: true };
      });
    },

    async resendVerification(target, by) {
      const composer = needed(deps.mailComposer, 'the mail composer');
      return transactor.run(async (tx) => {
        const user = await find(tx.users, target);
        if (!user) return { ok: false as const, reason: 'unknown_user' as const };
        if (user.emailVerifiedAt) return { ok: false as const, reason: 'already_verified' as const };
        // A new link voids the older ones, as when the user asks.
        await tx.tokens.deleteTokensForUser(user.id, 'verify-email');
        await queueVerificationMail(tx, composer, user, FALLBACK_LOCALE, now());
        await tx.audit.record({ type: 'email.verification_sent', outcome: 'success', targetUserId: user.id, details: { by: 'admin' } }, by);
        return { ok: true as const };
      });
    },

    async unblock(target, by) {
      const guard = needed(deps.guard, 'the login guard');
      const audit = needed(deps.audit, 'the audit log');
      const user = await find(users, target);
      if (!user) return { ok: false, reason: 'unknown_user' };
      // The pairs are keyed by (account, address); the audit log knows every address that failed.
      const since = new Date(clock.now() - UNBLOCK_LOOKBACK_MS);
      const ips = deps.failedSignIns ? await deps.failedSignIns.ipsWithFailures(user.id, since) : [];
      const keys = [...new Set(ips.map(throttleKeyForIp))];
      await guard.clearAccount(throttleAccountKey(user, ''), keys);
      await audit.record({ type: 'throttle.cleared', outcome: 'success', targetUserId: user.id, details: { addresses: keys.length } }, by);
      return { ok: true };
    },
  };
}
