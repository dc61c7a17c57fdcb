/**
 * Account management: registration and administrative changes. Validation problems come
 * back as a list with stable codes (for the form and the API); conflicts are decided by the
 * database's unique indexes, so two racing registrations of one name yield one user and one
 * `conflict`, never an error.
 */
import type { OidcUserRevocation } from '../oidc/interaction-links.ts';
import type { Clock } from '../clock.ts';
import type { PasswordHasher } from '../passwords/hasher.ts';
import { policyFingerprint } from '../passwords/policy-fingerprint.ts';
import { checkPassword, type PasswordPolicyConfig } from '../passwords/policy.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { type AuditContext, CLI_CONTEXT } from '../audit/events.ts';
import type { LoginGuard } from '../login/login.ts';
import type { AuditLog, FailedSignInSources, MailComposer, Transactor, UserConflict, UserStore } from '../ports.ts';
import { type AccountAdministration, createAccountAdministration } from './account-admin.ts';
import { queueVerificationMail } from './email-verification.ts';
import {
  canonicalEmail,
  canonicalUsername,
  checkUsername,
  isValidEmail,
  mailLocaleFor,
  isRole,
  normalizeEmail,
  normalizeUsername,
  type NewUser,
  type Role,
  type User,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
} from './user.ts';

/** One problem of one field, by code; `params` are what its sentence quotes (src/messages). */
export interface FieldProblem {
  field: 'username' | 'email' | 'password';
  code: string;
  params?: object;
}

export type RegisterResult =
  | { kind: 'registered'; user: User }
  | { kind: 'invalid'; problems: FieldProblem[] }
  | { kind: 'conflict'; field: UserConflict };

export type SelfRegisterResult =
  | { kind: 'registered'; user: User }
  | { kind: 'invalid'; problems: FieldProblem[] }
  | { kind: 'conflict'; field: 'username' }
  /**
   * Self-registration only: the email is another account's. Nothing was created, its owner
   * was mailed, and the caller answers exactly as for `registered` (CONTRACT: registration
   * never reveals an address). `username` and `email` are the submitted ones, canonical.
   */
  | { kind: 'email-taken'; username: string; email: string };


export function validateRegistration(
  input: { username: string; email: string; password: string },
  policy: PasswordPolicyConfig,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const username = canonicalUsername(input.username);
  const usernameProblem = checkUsername(username);
  if (usernameProblem) {
    problems.push({ field: 'username', code: `username_${usernameProblem}`, params: { min: USERNAME_MIN_LENGTH, max: USERNAME_MAX_LENGTH } });
  }
  // Validated in the form it is stored in: NFKC can turn look-alikes (U+FE6B) into `@`.
  const email = canonicalEmail(input.email);
  if (!isValidEmail(email)) {
    problems.push({ field: 'email', code: 'email_invalid' });
  }
  for (const problem of checkPassword(input.password, { username, email }, policy)) {
    problems.push({ field: 'password', ...problem });
  }
  return problems;
}

export interface UserService extends AccountAdministration {
  /** An operator's account (the CLI; `user.created` by `by`): a taken username or email is a `conflict`. */
  registerUser(input: { username: string; email: string; password: string; role?: Role }, by?: AuditContext): Promise<RegisterResult>;
  /**
   * A visitor's registration, in one transaction with its verification mail; a taken email
   * answers `email-taken` after mailing the owner (in the visitor's `locale`).
   */
  registerVisitor(input: { username: string; email: string; password: string }, locale: string, by: AuditContext): Promise<SelfRegisterResult>;
}

export function createUserService(deps: {
  users: UserStore;
  transactor: Transactor;
  sessions: SessionService;
  hasher: PasswordHasher;
  policy: PasswordPolicyConfig;
  clock: Clock;
  /** Needed for self-service registration and admin mail (reset, verification links). */
  mailComposer?: MailComposer;
  /** For `unblock`. */
  guard?: Pick<LoginGuard, 'clearAccount'>;
  failedSignIns?: FailedSignInSources;
  audit?: AuditLog;
  /** Revokes a deleted user's OpenID Connect grants and tokens (issue #13). */
  oidc?: OidcUserRevocation;
}): UserService {
  const { users, transactor, sessions, hasher, policy, clock, mailComposer } = deps;
  const administration = createAccountAdministration(deps);
  const passwordPolicy = policyFingerprint(policy);

  /** Validated, canonical, and hashed on every path (a taken email included: equal time). */
  async function prepare(input: { username: string; email: string; password: string; role?: Role; locale?: string }) {
    const problems = validateRegistration(input, policy);
    if (problems.length > 0) return { kind: 'invalid' as const, problems };
    const username = canonicalUsername(input.username);
    const email = canonicalEmail(input.email);
    const passwordHash = await hasher.hashPassword(input.password);
    const newUser: NewUser = {
      username,
      usernameNormalized: normalizeUsername(username),
      email,
      emailNormalized: normalizeEmail(email),
      passwordHash,
      passwordPolicy,
      role: input.role ?? 'user',
      createdAt: new Date(clock.now()),
      locale: input.locale ?? null,
    };
    return { kind: 'prepared' as const, newUser };
  }

  return {
    async registerUser(input, by = CLI_CONTEXT) {
      const prepared = await prepare(input);
      if (prepared.kind === 'invalid') return prepared;
      return transactor.run(async (tx): Promise<RegisterResult> => {
        const created = await tx.users.createUser(prepared.newUser);
        if (!created.ok) return { kind: 'conflict', field: created.conflict };
        await tx.audit.record({ type: 'user.created', outcome: 'success', targetUserId: created.user.id, details: { role: created.user.role } }, by);
        return { kind: 'registered', user: created.user };
      });
    },

    async registerVisitor(input, locale, by) {
      // The account keeps the language of the page it was created from.
      const prepared = await prepare({ ...input, locale });
      if (prepared.kind === 'invalid') return prepared;
      const { newUser } = prepared;
      const { username, email, createdAt: now } = newUser;
      if (!mailComposer) throw new Error('self-service registration needs the mail composer');
      // One transaction for the account and its mail, so no account exists without its link
      // and no mail leaves for an account that was rolled back. The SQL store runs the insert
      // under a savepoint inside a transaction (user-store.ts), so on PostgreSQL a unique
      // violation is rolled back alone and the transaction goes on to the owner's mail.
      return transactor.run(async (tx): Promise<SelfRegisterResult> => {
        const created = await tx.users.createUser(newUser);
        if (created.ok) {
          await queueVerificationMail(tx, mailComposer, created.user, locale, now);
          await tx.audit.record({ type: 'user.registered', outcome: 'success', targetUserId: created.user.id }, { ...by, actorUserId: created.user.id });
          return { kind: 'registered', user: created.user };
        }
        // Only a taken username is said: one reported for the email may hide a taken name too.
        if (created.conflict === 'username' || (await tx.users.findUserByUsername(newUser.usernameNormalized))) {
          return { kind: 'conflict', field: 'username' };
        }
        const owner = await tx.users.findUserForLogin(newUser.emailNormalized);
        if (owner) {
          const message = mailComposer.compose({
            kind: 'address-taken',
            to: owner.email,
            locale: mailLocaleFor(owner, locale),
            params: { username: owner.username },
            links: { login: '/login', reset: '/forgot-password' },
          });
          await tx.mail.enqueue(message, now);
        }
        return { kind: 'email-taken', username, email };
      });
    },

    ...administration,
  };
}
