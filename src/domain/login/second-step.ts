/**
 * The second sign-in step (issue #12): after a correct password on an account with two-factor
 * on, no session exists yet; a pending sign-in does. It is a single-use token (256 random
 * bits, only its SHA-256 stored, purpose `pending-sign-in`, 5 minutes) the browser keeps in a
 * cookie, bound to the account and to where the sign-in was going (`next`).
 *
 * A code is checked against the pending account (two-factor.ts uses it up), throttled per
 * pending sign-in and per account (limiter `second-factor`: 5 wrong codes in 15 minutes; the
 * password throttle of the first step still applies), and every wrong code is a failed sign-in
 * in the audit log. The right code uses the pending token up (a guarded delete: two racing
 * right codes make one session) and completes the sign-in as the password alone would have.
 */
import { generateToken, sha256Hex } from '../crypto.ts';
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { TokenStore, UserStore } from '../ports.ts';
import type { Throttle } from '../throttle/throttle.ts';
import type { CodeCheck } from '../two-factor/two-factor.ts';
import type { User } from '../users/user.ts';
import { type CompletedSignIn, signInAuditContext, type SignInClient } from './login.ts';

export const PENDING_SIGN_IN_SECONDS = 5 * 60;
/** Longest `next` kept with a pending sign-in (the column holds 320); a longer one falls back to the dashboard. */
const NEXT_MAX = 300;

export type SecondStepResult =
  | { kind: 'signed-in'; completed: CompletedSignIn; next: string | null; recoveryCodesLeft?: number }
  /** No such pending sign-in: expired, used, or never made. Start again at /login. */
  | { kind: 'expired' }
  | { kind: 'wrong-code' }
  | { kind: 'replayed' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export function isWellFormedPendingToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function createSecondStepService(deps: {
  tokens: Pick<TokenStore, 'createToken' | 'findToken' | 'consumeToken'>;
  users: Pick<UserStore, 'findUserById'>;
  twoFactor: { verifyForSignIn(user: User, code: string, by: AuditContext, locale: string): Promise<CodeCheck> };
  login: {
    completeSignIn(input: { user: User; client: SignInClient; replacesToken?: string | null; authMethods?: readonly string[] }): Promise<CompletedSignIn>;
    refuseSecondFactor(user: User, client: SignInClient): Promise<void>;
  };
  throttle: Pick<Throttle, 'peek' | 'consume'>;
  clock: Clock;
}) {
  const { tokens, users, twoFactor, login, throttle, clock } = deps;
  const now = () => new Date(clock.now());

  async function pending(token: string): Promise<{ user: User; next: string | null } | undefined> {
    if (!isWellFormedPendingToken(token)) return undefined;
    const found = await tokens.findToken(sha256Hex(token), 'pending-sign-in', now());
    if (!found) return undefined;
    const user = await users.findUserById(found.userId);
    // Disabled meanwhile: the pending sign-in is worth nothing.
    if (!user || user.disabled) return undefined;
    return { user, next: found.data };
  }

  /** Uses the pending token up; the one that deletes it wins a race. */
  async function finish(token: string, user: User, client: SignInClient, replacesToken: string | null, authMethods: readonly string[]) {
    const used = await tokens.consumeToken(sha256Hex(token), 'pending-sign-in', now());
    if (!used || used.userId !== user.id) return undefined;
    return { completed: await login.completeSignIn({ user, client, replacesToken, authMethods }), next: used.data };
  }

  return {
    /** Starts the second step for `user` (password verified); returns the token for the cookie. */
    async begin(user: User, next: string | null): Promise<string> {
      const token = generateToken(32);
      const at = now();
      await tokens.createToken({
        hash: sha256Hex(token),
        purpose: 'pending-sign-in',
        userId: user.id,
        data: next && next.length <= NEXT_MAX ? next : null,
        createdAt: at,
        expiresAt: new Date(at.getTime() + PENDING_SIGN_IN_SECONDS * 1000),
      });
      return token;
    },

    /** The account a pending sign-in is for, without using it up (the passkey step's options). */
    async pendingUser(token: string): Promise<User | undefined> {
      return (await pending(token))?.user;
    },

    async verifyCode(input: { token: string; code: string; client: SignInClient; replacesToken?: string | null }): Promise<SecondStepResult> {
      const found = await pending(input.token);
      if (!found) return { kind: 'expired' };
      const { user } = found;
      const keys = [`pending:${sha256Hex(input.token)}`, `user:${user.id}`];
      const decisions = await Promise.all(keys.map((key) => throttle.peek('second-factor', key)));
      const refused = decisions.find((decision) => !decision.allowed);
      if (refused && !refused.allowed) return { kind: 'throttled', retryAfterSeconds: refused.retryAfterSeconds };
      const checked = await twoFactor.verifyForSignIn(user, input.code, signInAuditContext(input.client, user.id), input.client.locale ?? 'en');
      if (checked.kind === 'wrong' || checked.kind === 'replayed') {
        await Promise.all(keys.map((key) => throttle.consume('second-factor', key)));
        await login.refuseSecondFactor(user, input.client);
        return { kind: checked.kind === 'wrong' ? 'wrong-code' : 'replayed' };
      }
      const done = await finish(input.token, user, input.client, input.replacesToken ?? null, ['pwd', 'otp', 'mfa']);
      if (!done) return { kind: 'expired' };
      return { kind: 'signed-in', ...done, ...(checked.kind === 'recovery-code' ? { recoveryCodesLeft: checked.left } : {}) };
    },

    /** A passkey verified for the pending account (passkey routes) completes the sign-in. */
    async completeWithPasskey(token: string, userId: number, client: SignInClient, replacesToken: string | null = null): Promise<(CompletedSignIn & { next: string | null }) | undefined> {
      const found = await pending(token);
      if (!found || found.user.id !== userId) return undefined;
      const done = await finish(token, found.user, client, replacesToken, ['pwd', 'hwk', 'mfa']);
      return done && { ...done.completed, next: done.next };
    },
  };
}

export type SecondStepService = ReturnType<typeof createSecondStepService>;
