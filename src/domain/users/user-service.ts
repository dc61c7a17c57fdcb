/**
 * Account management: registration and administrative changes. Validation problems come
 * back as a list with stable codes (for the form and the API); conflicts are decided by the
 * database's unique indexes, so two racing registrations of one name yield one user and one
 * `conflict`, never an error.
 */
import type { Clock } from '../clock.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import { policyFingerprint } from '../passwords/policy-fingerprint.ts';
import { checkPassword, type PasswordPolicyConfig } from '../passwords/policy.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { UserStore } from '../ports.ts';
import {
  canonicalEmail,
  canonicalUsername,
  checkUsername,
  EMAIL_MAX_LENGTH,
  isRole,
  normalizeEmail,
  normalizeUsername,
  type Role,
  type User,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
} from './user.ts';

export interface FieldProblem {
  field: 'username' | 'email' | 'password';
  code: string;
  message: string;
}

export type RegisterResult =
  | { kind: 'registered'; user: User }
  | { kind: 'invalid'; problems: FieldProblem[] }
  | { kind: 'conflict'; field: 'username' | 'email' };

/** What a conflict means to the person registering (registration inherently tells it). */
export const CONFLICT_MESSAGES = {
  username: 'That username is taken.',
  email: 'That email address is already registered.',
} as const;

export type AdminChangeResult = { ok: true; user: User } | { ok: false; reason: 'unknown_user' | 'bad_role' };

const EMAIL_PATTERN = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

export function validateRegistration(
  input: { username: string; email: string; password: string },
  policy: PasswordPolicyConfig,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const username = canonicalUsername(input.username);
  const usernameProblem = checkUsername(username);
  if (usernameProblem === 'too_short' || usernameProblem === 'too_long') {
    problems.push({
      field: 'username',
      code: `username_${usernameProblem}`,
      message: `Username must be ${USERNAME_MIN_LENGTH} to ${USERNAME_MAX_LENGTH} characters long.`,
    });
  } else if (usernameProblem === 'bad_characters') {
    problems.push({
      field: 'username',
      code: 'username_bad_characters',
      message: 'Username may contain letters, digits, dots, dashes and underscores, and must start and end with a letter or digit.',
    });
  }
  // Validated in the form it is stored in: NFKC can turn look-alikes (U+FE6B) into `@`.
  const email = canonicalEmail(input.email);
  if (email.length > EMAIL_MAX_LENGTH || !EMAIL_PATTERN.test(email)) {
    problems.push({ field: 'email', code: 'email_invalid', message: 'Enter a valid email address.' });
  }
  for (const problem of checkPassword(input.password, { username, email }, policy)) {
    problems.push({ field: 'password', ...problem });
  }
  return problems;
}

export interface UserService {
  registerUser(input: { username: string; email: string; password: string; role?: Role }): Promise<RegisterResult>;
  setRole(username: string, role: string): Promise<AdminChangeResult>;
  /** Disabling also ends every session of the user. */
  setDisabled(username: string, disabled: boolean): Promise<AdminChangeResult>;
  revokeSessions(username: string): Promise<{ ok: true; count: number } | { ok: false; reason: 'unknown_user' }>;
}

export function createUserService(deps: {
  users: UserStore;
  sessions: SessionService;
  hasher: PasswordHasher;
  policy: PasswordPolicyConfig;
  clock: Clock;
}): UserService {
  const { users, sessions, hasher, policy, clock } = deps;
  const passwordPolicy = policyFingerprint(policy);
  return {
    async registerUser(input) {
      const problems = validateRegistration(input, policy);
      if (problems.length > 0) return { kind: 'invalid', problems };
      const username = canonicalUsername(input.username);
      const email = canonicalEmail(input.email);
      const passwordHash = await hasher.hashPassword(input.password);
      const created = await users.createUser({
        username,
        usernameNormalized: normalizeUsername(username),
        email,
        emailNormalized: normalizeEmail(email),
        passwordHash,
        passwordPolicy,
        role: input.role ?? 'user',
        createdAt: new Date(clock.now()),
      });
      return created.ok ? { kind: 'registered', user: created.user } : { kind: 'conflict', field: created.conflict };
    },

    async setRole(username, role) {
      if (!isRole(role)) return { ok: false, reason: 'bad_role' };
      const user = await users.findUserByUsername(normalizeUsername(username));
      if (!user || !(await users.setRole(user.id, role))) return { ok: false, reason: 'unknown_user' };
      return { ok: true, user: { ...user, role } };
    },

    async setDisabled(username, disabled) {
      const user = await users.findUserByUsername(normalizeUsername(username));
      if (!user || !(await users.setDisabled(user.id, disabled))) return { ok: false, reason: 'unknown_user' };
      if (disabled) await sessions.endAllSessionsForUser(user.id);
      return { ok: true, user: { ...user, disabled } };
    },

    async revokeSessions(username) {
      const user = await users.findUserByUsername(normalizeUsername(username));
      if (!user) return { ok: false, reason: 'unknown_user' };
      return { ok: true, count: await sessions.endAllSessionsForUser(user.id) };
    },
  };
}
