/**
 * The second-factor policy (issue #12; ASVS v5.0.0-6.3.3): with REQUIRE_2FA_FOR_ADMINS (on
 * by default in production) an account that holds any permission must have two-factor sign-in
 * on before a permission route (the admin console and its API) opens; with REQUIRE_2FA_FOR_ALL,
 * every account before any signed-in route opens, except what enrolling needs (the two-factor
 * settings, passkeys, sudo, signing out). Pages are sent to `/settings/two-factor?required=1`;
 * the API answers 403 `second_factor_required`. Attached by route-rules.ts after the access
 * guard; decided from the store on each request (one primary-key read, only for such routes).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError } from '../../domain/errors.ts';
import { PERMISSIONS, hasPermission } from '../../domain/users/permissions.ts';
import type { User } from '../../domain/users/user.ts';

export interface SecondFactorPolicy {
  forAdmins: boolean;
  forAll: boolean;
  /** Whether the account has a second factor (TOTP on, or a passkey). */
  hasSecondFactor(userId: number): Promise<boolean>;
}

/** What an account without a second factor may still reach under REQUIRE_2FA_FOR_ALL. */
const ENROLMENT_PATHS = [/^\/settings\/two-factor/, /^\/settings\/passkeys/, /^\/sudo/, /^\/api\/v1\/settings\/two-factor/, /^\/api\/v1\/passkeys/, /^\/api\/v1\/sudo/, /^\/api\/v1\/me$/, /^\/api\/v1\/csrf$/];

function holdsAnyPermission(user: User): boolean {
  return PERMISSIONS.some((permission) => hasPermission(user, permission));
}

export function createSecondFactorCheck(policy: SecondFactorPolicy, routeUrl: string, permissionRoute: boolean) {
  const enrolment = ENROLMENT_PATHS.some((pattern) => pattern.test(routeUrl));
  return async function requireSecondFactor(request: FastifyRequest, reply: FastifyReply) {
    const user = request.auth?.user;
    if (!user || enrolment) return;
    const applies = policy.forAll || (policy.forAdmins && permissionRoute && holdsAnyPermission(user));
    if (!applies || (await policy.hasSecondFactor(user.id))) return;
    if (request.url.startsWith('/api/')) throw new AuthError('second_factor_required');
    return reply.code(303).redirect('/settings/two-factor?required=1');
  };
}
