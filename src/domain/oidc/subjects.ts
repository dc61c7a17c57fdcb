/**
 * Users' OIDC subjects (issue #13), for the provider (src/http/oidc): `sub` is the account's
 * random subject (`users.oidc_subject`: 128 bits, base64url, unique; made when the account is
 * created, and by migration 0014 for accounts that existed), never the numeric id or the
 * username, so it reveals nothing, cannot be guessed and survives renames.
 *
 * For the provider (Helper P): the subject is NOT on the domain `User`; use
 * `deps.oidc.subjects.subjectFor(userId)` (interaction → accountId) and
 * `deps.oidc.subjects.accountFor(subject)` (findAccount: the user when the account exists
 * and is enabled, else undefined). Payloads' `accountId` is this subject, so
 * `payloads.revokeByAccount(await subjects.subjectFor(userId))` ends everything of a user.
 */
import type { OidcSubjectStore } from '../ports.ts';
import type { User } from '../users/user.ts';

export interface OidcSubjects {
  subjectFor(userId: number): Promise<string | undefined>;
  /** The enabled account with that subject; undefined when none (or disabled). */
  accountFor(subject: string): Promise<User | undefined>;
}

export function createOidcSubjects(store: OidcSubjectStore): OidcSubjects {
  return {
    subjectFor: (userId) => store.subjectFor(userId),
    async accountFor(subject) {
      const user = await store.findUserBySubject(subject);
      return user && !user.disabled ? user : undefined;
    },
  };
}
