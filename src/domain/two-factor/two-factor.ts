/**
 * Two-factor sign-in with TOTP and recovery codes (issue #12; ASVS v5.0.0-6.3.3, 6.5.x).
 *
 * Enrolment: a fresh 160-bit secret is stored sealed (AES-256-GCM, key derived from
 * SECRET_KEY, `keyVersion` naming it so keys can rotate) and shown once as a QR code and
 * text; it is enabled only by the current password and a correct code, in one transaction
 * with ten new recovery codes (hashed) and its audit row, and the owner is told by mail.
 * Turning it off needs the password and a current or recovery code (the route adds sudo
 * mode); an admin can reset it (audited, the owner told).
 *
 * At sign-in (second-step.ts), `verifyForSignIn` accepts a code once: a TOTP step moves the
 * stored `last_step` by a guarded update (a replay is refused and said so), a recovery code
 * is spent by one too; a recovery code used is mailed to the owner with how many are left.
 */
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { openText, sealText } from '../crypto.ts';
import { checkCurrentPassword } from '../login/current-password.ts';
import type { LoginGuard } from '../login/login.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import type { MailComposer, SecondFactorStore, TransactionStores, Transactor } from '../ports.ts';
import { issueSecureAccountLink } from '../recovery/secure-account.ts';
import { mailLocaleFor, type User } from '../users/user.ts';
import { newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes.ts';
import { matchingStep, newTotpSecret, normalizeTotpCode, stepAt, totpUri } from './totp.ts';

/** Sealing keys by version; the highest seals new secrets, any opens what it sealed. */
export type TwoFactorKeys = Readonly<Record<number, Buffer>>;

export type CodeCheck =
  | { kind: 'totp' }
  | { kind: 'recovery-code'; left: number }
  /** A TOTP code of a step already used (ASVS v5.0.0-6.5.1): refused, and the user is told. */
  | { kind: 'replayed' }
  | { kind: 'wrong' };

export type EnrolmentResult =
  | { kind: 'enabled'; recoveryCodes: string[] }
  | { kind: 'wrong-current-password' }
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'wrong-code' }
  | { kind: 'not-started' };

export type DisableResult = { kind: 'disabled' } | { kind: 'wrong-current-password' } | { kind: 'throttled'; retryAfterSeconds: number } | { kind: 'wrong-code' } | { kind: 'not-enabled' };

export function createTwoFactorService(deps: {
  transactor: Transactor;
  secondFactors: SecondFactorStore;
  users: { findUserForLogin(identifierNormalized: string): Promise<{ id: number; passwordHash: string | null } | undefined> };
  hasher: Pick<PasswordHasher, 'verifyPassword'>;
  guard: LoginGuard;
  mailComposer: MailComposer;
  clock: Clock;
  keys: TwoFactorKeys;
}) {
  const { transactor, secondFactors, guard, mailComposer, clock, keys } = deps;
  const currentVersion = Math.max(...Object.keys(keys).map(Number));
  const now = () => new Date(clock.now());

  function openSecret(sealed: string, version: number): string | undefined {
    const key = keys[version];
    return key ? openText(key, sealed) : undefined;
  }

  async function notify(tx: TransactionStores, user: User, kind: 'two-factor-enabled' | 'two-factor-disabled' | 'recovery-code-used', locale: string, params: Record<string, string | number> = {}) {
    const at = now();
    const secure = await issueSecureAccountLink(tx, user.id, at);
    const message = mailComposer.compose({
      kind,
      to: user.email,
      locale: mailLocaleFor(user, locale),
      params: { username: user.username, time: at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC', ...params },
      links: { secure },
    });
    await tx.mail.enqueue(message, at);
  }

  /** A code against the user's confirmed secret, or one of their recovery codes, used up if right. */
  async function useCode(store: SecondFactorStore, userId: number, code: string): Promise<CodeCheck> {
    const totp = await store.findTotp(userId);
    if (!totp?.confirmedAt) return { kind: 'wrong' };
    if (normalizeTotpCode(code) !== undefined) {
      const secret = openSecret(totp.secretSealed, totp.keyVersion);
      const step = secret === undefined ? undefined : matchingStep(secret, code, clock.now());
      if (step === undefined) return { kind: 'wrong' };
      return (await store.useStep(userId, step)) ? { kind: 'totp' } : { kind: 'replayed' };
    }
    if (normalizeRecoveryCode(code) === undefined) return { kind: 'wrong' };
    if (!(await store.useRecoveryCode(userId, recoveryCodeHash(code), now()))) return { kind: 'wrong' };
    return { kind: 'recovery-code', left: await store.countUnusedRecoveryCodes(userId) };
  }

  return {
    async isEnabled(userId: number): Promise<boolean> {
      return (await secondFactors.findTotp(userId))?.confirmedAt != null;
    },

    async status(userId: number): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
      const enabled = (await secondFactors.findTotp(userId))?.confirmedAt != null;
      return { enabled, recoveryCodesLeft: enabled ? await secondFactors.countUnusedRecoveryCodes(userId) : 0 };
    },

    /** A fresh secret for the enrolment page (replacing any earlier unconfirmed one); undefined when already enabled. */
    async beginEnrolment(user: User): Promise<{ secret: string; uri: string } | undefined> {
      const secret = newTotpSecret();
      const saved = await secondFactors.saveUnconfirmedTotp(user.id, sealText(keys[currentVersion]!, secret), currentVersion, now());
      return saved ? { secret, uri: totpUri(secret, user.username) } : undefined;
    },

    /** The secret waiting for its first code, to show it again after a wrong code. */
    async pendingEnrolment(user: User): Promise<{ secret: string; uri: string } | undefined> {
      const totp = await secondFactors.findTotp(user.id);
      if (!totp || totp.confirmedAt) return undefined;
      const secret = openSecret(totp.secretSealed, totp.keyVersion);
      return secret === undefined ? undefined : { secret, uri: totpUri(secret, user.username) };
    },

    async confirmEnrolment(input: { user: User; code: string; currentPassword: string; ip: string; by: AuditContext; locale: string }): Promise<EnrolmentResult> {
      const check = await checkCurrentPassword({ users: deps.users, hasher: deps.hasher, guard }, input);
      if (check.kind !== 'correct') return check;
      const totp = await secondFactors.findTotp(input.user.id);
      if (!totp || totp.confirmedAt) return { kind: 'not-started' };
      const secret = openSecret(totp.secretSealed, totp.keyVersion);
      const step = secret === undefined ? undefined : matchingStep(secret, input.code, clock.now());
      if (step === undefined) return { kind: 'wrong-code' };
      await guard.recordSuccess(check.accountKey, input.ip);
      const codes = newRecoveryCodes();
      const confirmed = await transactor.run(async (tx) => {
        if (!(await tx.secondFactors.confirmTotp(input.user.id, step, now()))) return false;
        await tx.secondFactors.replaceRecoveryCodes(input.user.id, codes.map(recoveryCodeHash), now());
        await notify(tx, input.user, 'two-factor-enabled', input.locale);
        await tx.audit.record({ type: 'two_factor.enrolled', outcome: 'success', targetUserId: input.user.id, details: { method: 'totp' } }, input.by);
        return true;
      });
      return confirmed ? { kind: 'enabled', recoveryCodes: codes } : { kind: 'not-started' };
    },

    async disable(input: { user: User; code: string; currentPassword: string; ip: string; by: AuditContext; locale: string }): Promise<DisableResult> {
      const check = await checkCurrentPassword({ users: deps.users, hasher: deps.hasher, guard }, input);
      if (check.kind !== 'correct') return check;
      if (!(await secondFactors.findTotp(input.user.id))?.confirmedAt) return { kind: 'not-enabled' };
      return transactor.run(async (tx): Promise<DisableResult> => {
        const used = await useCode(tx.secondFactors, input.user.id, input.code);
        if (used.kind === 'wrong' || used.kind === 'replayed') return { kind: 'wrong-code' };
        await tx.secondFactors.removeTotp(input.user.id);
        await notify(tx, input.user, 'two-factor-disabled', input.locale);
        await tx.audit.record({ type: 'two_factor.removed', outcome: 'success', targetUserId: input.user.id, details: { by: 'self' } }, input.by);
        return { kind: 'disabled' };
      });
    },

    /** Ten new recovery codes; the old ones stop working. The route asks for sudo mode. */
    async regenerateRecoveryCodes(user: User, by: AuditContext): Promise<string[] | undefined> {
      if (!(await secondFactors.findTotp(user.id))?.confirmedAt) return undefined;
      const codes = newRecoveryCodes();
      await transactor.run(async (tx) => {
        await tx.secondFactors.replaceRecoveryCodes(user.id, codes.map(recoveryCodeHash), now());
        await tx.audit.record({ type: 'two_factor.recovery_codes_regenerated', outcome: 'success', targetUserId: user.id }, by);
      });
      return codes;
    },

    /**
     * The second sign-in step: a TOTP code (used once) or a recovery code (spent; its owner is
     * mailed how many are left), checked and used in one transaction with its audit row.
     */
    async verifyForSignIn(user: User, code: string, by: AuditContext, locale: string): Promise<CodeCheck> {
      return transactor.run(async (tx) => {
        const used = await useCode(tx.secondFactors, user.id, code);
        if (used.kind === 'recovery-code') {
          await notify(tx, user, 'recovery-code-used', locale, { left: used.left });
          await tx.audit.record({ type: 'two_factor.recovery_code_used', outcome: 'success', targetUserId: user.id, details: { left: used.left } }, by);
        }
        return used;
      });
    },

    /** An admin turns a user's second factor off (they lost their device): audited, the user told. */
    async adminReset(user: User, by: AuditContext): Promise<boolean> {
      return transactor.run(async (tx) => {
        if (!(await tx.secondFactors.removeTotp(user.id))) return false;
        await notify(tx, user, 'two-factor-disabled', 'en');
        await tx.audit.record({ type: 'two_factor.removed', outcome: 'success', targetUserId: user.id, details: { by: 'admin' } }, by);
        return true;
      });
    },

    /** For tests and the browser journey: the step of now (codes are computed as an app would). */
    stepNow: () => stepAt(clock.now()),
  };
}

export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
