/** Who may see what. Decided from the user as read from the store on this request. */
import { hasPermission, PERMISSIONS } from './permissions.ts';
import type { User } from './user.ts';

/** A user sees their own profile; `profiles:read-any` sees anyone's (the IDOR fix of the seed demo). */
export function canViewProfile(viewer: User, targetUserId: number): boolean {
  return viewer.id === targetUserId || hasPermission(viewer, 'profiles:read-any');
}

/** True for a role holding every permission (today: `admin`). Prefer `hasPermission` for a check. */
export function isAdmin(user: User): boolean {
  return PERMISSIONS.every((permission) => hasPermission(user, permission));
}
