/**
 * Permissions: the named things a role may do, and the one table that grants them. Route
 * rules (`http/route-rules.ts`) and domain checks ask `hasPermission`, never the role name,
 * so adding a role is one row here (the `Record<Role, …>` makes a missing row a type
 * error), not an edit to every check (v5.0.0-8.1.1, v5.0.0-8.2.1: explicit, deny by default).
 *
 * Decided from the user as re-read from the store on this request, so a role change or a
 * disabled flag applies at the next request. A disabled user holds no permission at all.
 */
import type { Role, User } from './user.ts';

export const PERMISSIONS = ['users:read', 'users:write', 'sessions:revoke', 'audit:read', 'profiles:read-any', 'oidc:clients'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Role → permissions granted. Anything not listed is refused. */
export const PERMISSIONS_BY_ROLE: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  user: [],
  admin: PERMISSIONS,
});

const GRANTED: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(
  Object.entries(PERMISSIONS_BY_ROLE).map(([role, granted]) => [role as Role, new Set(granted)]),
);

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** True when the user's role grants `permission` and the account is not disabled. Never throws. */
export function hasPermission(user: Pick<User, 'role' | 'disabled'>, permission: Permission): boolean {
  if (user.disabled) return false;
  return GRANTED.get(user.role)?.has(permission) ?? false;
}
