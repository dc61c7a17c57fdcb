/**
 * Self-service registration, as one domain operation: is registration open, may this
 * client try, is the input valid, then the account (user-service.ts `registerVisitor`).
 *
 * Two bounds per client IP, so that a class behind one address is not locked out of sign-up
 * by its own typos (issue #8, defect 6):
 *  - `register-attempt-ip` counts every attempt, valid or not (REGISTER_MAX_ATTEMPTS_PER_HOUR,
 *    generous: it only stops scripted floods of the form);
 *  - `register-ip` counts accounts created (REGISTER_MAX_PER_HOUR): checked before the
 *    password is hashed, counted only when an account was made. Peek-then-count is not
 *    atomic: N registrations racing past the check may overshoot by up to N − 1 (the hash
 *    queue bounds N), which a per-hour bound tolerates. A registration with a taken email
 *    counts too: it answers like a new account (user-service.ts) and must spend alike.
 * A refusal carries the seconds to wait, for `Retry-After` and the page's "try again in …".
 */
import type { AuditContext } from '../audit/events.ts';
import type { Throttle } from '../throttle/throttle.ts';
import type { SelfRegisterResult, UserService } from './user-service.ts';

export type SelfRegistrationResult = SelfRegisterResult | { kind: 'closed' } | { kind: 'throttled'; retryAfterSeconds: number };

export function createRegistrationService(deps: { users: Pick<UserService, 'registerVisitor'>; throttle: Throttle; open: boolean }) {
  const { users, throttle, open } = deps;
  return {
    /** `throttleKey`: the client's IP (an IPv6 /64). Never throws for a refusal. */
    async register(input: { username: string; email: string; password: string }, throttleKey: string, locale: string, by: AuditContext): Promise<SelfRegistrationResult> {
      if (!open) return { kind: 'closed' };
      const attempt = await throttle.consume('register-attempt-ip', throttleKey);
      if (!attempt.allowed) return { kind: 'throttled', retryAfterSeconds: attempt.retryAfterSeconds };
      const allowance = await throttle.peek('register-ip', throttleKey);
      if (!allowance.allowed) return { kind: 'throttled', retryAfterSeconds: allowance.retryAfterSeconds };
      const result = await users.registerVisitor(input, locale, by);
      // A taken email counts like an account made: the allowance must not tell them apart.
      if (result.kind === 'registered' || result.kind === 'email-taken') await throttle.consume('register-ip', throttleKey);
      return result;
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
