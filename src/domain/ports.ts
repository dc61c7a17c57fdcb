/**
 * Ports: what the domain needs from storage. `storage/` implements them; nothing in the
 * domain knows which database or cache is behind them.
 */
import type { Session } from './sessions/session.ts';
import type { NewUser, Role, User, UserWithPassword } from './users/user.ts';

/** What is known of a stored password: must it change, and under which policy was it checked. */
export interface PasswordState {
  mustChangePassword: boolean;
  /** `policyFingerprint` of the policy the password was last checked against; null if never. */
  passwordPolicy: string | null;
}

export type CreateUserResult = { ok: true; user: User } | { ok: false; conflict: 'username' | 'email' };

export interface UserStore {
  /** Inserts a user; a unique-index violation is returned as a conflict, never thrown. */
  createUser(user: NewUser): Promise<CreateUserResult>;
  findUserById(id: number): Promise<User | undefined>;
  findUserByUsername(usernameNormalized: string): Promise<User | undefined>;
  /** Looks up by normalised username or normalised email, with the password hash. */
  findUserForLogin(identifierNormalized: string): Promise<UserWithPassword | undefined>;
  /** Stores a new hash, with the outcome of checking that password against the policy. */
  updatePasswordHash(userId: number, passwordHash: string, state: PasswordState): Promise<void>;
  /** Records the outcome of checking the stored password against the policy. */
  setPasswordState(userId: number, state: PasswordState): Promise<void>;
  /** Returns false when no such user. */
  setRole(userId: number, role: Role): Promise<boolean>;
  /** Returns false when no such user. */
  setDisabled(userId: number, disabled: boolean): Promise<boolean>;
}

export interface SessionStore {
  createSession(session: Session): Promise<void>;
  /** The session and its user, read together (one indexed query on SQL). */
  findSessionAndUser(idHash: string): Promise<{ session: Session; user: User } | undefined>;
  touchSession(idHash: string, lastSeenAt: Date): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes every session of the user except `exceptIdHash`; returns how many. */
  deleteSessionsForUser(userId: number, exceptIdHash?: string): Promise<number>;
  deleteExpiredSessions(now: Date, idleTimeoutSeconds: number): Promise<number>;
}
