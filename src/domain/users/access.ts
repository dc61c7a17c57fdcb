/** Who may see what. Decided from the user as read from the store on this request. */
import type { User } from './user.ts';

/** A user sees their own profile; an admin sees anyone's (the IDOR fix of the seed demo). */
export function canViewProfile(viewer: User, targetUserId: number): boolean {
  return viewer.id === targetUserId || viewer.role === 'admin';
}

export function isAdmin(user: User): boolean {
  return user.role === 'admin';
}
