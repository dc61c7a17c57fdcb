/**
 * Ports: everything the domain needs from the outside world, in one place. `storage/`
 * implements them (SQL on SQLite, PostgreSQL or MySQL; Redis for sessions and counters;
 * memory for tests); only `dependencies.ts` picks the concrete ones. Nothing in the domain
 * knows which database, cache or mail server is behind a port.
 *
 * Transactions: the SQL stores that belong to one unit of work (users, credentials, and the
 * single-use tokens, mail queue and audit log the next issues add) are reached through
 * `Transactor.run`, which hands the work a set of stores bound to one database transaction,
 * so a change and its audit row or queued mail commit together or not at all. Sessions and
 * throttle counters may live in Redis, outside any SQL transaction; sessions are therefore
 * bound to the user's credential version (see CredentialStore), so a credential change voids
 * every other session even when no session delete happens.
 */
import type { AuditContext, AuditEvent, StoredAuditEvent } from './audit/events.ts';
import type { ChainVerdict } from './audit/chain.ts';
import type { Session } from './sessions/session.ts';
import type { NewUser, Role, User, UserWithPassword } from './users/user.ts';

export type { PasswordHasher } from './passwords/hasher.ts';
export type { Throttle, ThrottleResult } from './throttle/throttle.ts';
export type { Clock } from './clock.ts';

/** What is known of a stored password: must it change, and under which policy was it checked. */
export interface PasswordState {
  mustChangePassword: boolean;
  /** `policyFingerprint` of the policy the password was last checked against; null if never. */
  passwordPolicy: string | null;
}

/** The unique identity an insert collided with, decided by the index that refused it. */
export type UserConflict = 'username' | 'email';

export type CreateUserResult = { ok: true; user: User } | { ok: false; conflict: UserConflict };

/** Accounts: identity, role and the disabled flag. Passwords are the CredentialStore's. */
export interface UserStore {
  /** Inserts a user; a unique-index violation is returned as a conflict, never thrown. */
  createUser(user: NewUser): Promise<CreateUserResult>;
  findUserById(id: number): Promise<User | undefined>;
  /** The usernames of those of `ids` that exist, in one read (a page of audit events names up to 100). */
  usernamesByIds(ids: readonly number[]): Promise<ReadonlyMap<number, string>>;
  findUserByUsername(usernameNormalized: string): Promise<User | undefined>;
  /** Looks up by normalised username or normalised email, with the password hash. */
  findUserForLogin(identifierNormalized: string): Promise<UserWithPassword | undefined>;
  /** Records the account's language (`?lang=` while signed in). */
  setLocale(userId: number, locale: string): Promise<void>;
  /** How many enabled accounts hold the admin role (the first-admin hint). */
  countActiveAdmins(): Promise<number>;
  /**
   * Inside a transaction: the ids of the enabled admins, locked until commit (PostgreSQL and
   * MySQL lock the rows; SQLite takes its write lock first), so of two transactions demoting,
   * disabling or deleting admins at once the second sees the first's outcome: the last-admin
   * rule cannot be raced past.
   */
  lockActiveAdmins(): Promise<number[]>;
  /** Returns false when no such user. */
  setRole(userId: number, role: Role): Promise<boolean>;
  /** Returns false when no such user. */
  setDisabled(userId: number, disabled: boolean): Promise<boolean>;
  /**
   * Sets `email_verified_at`; with `newAddress`, the account's address becomes that one in the
   * same statement (a confirmed change of address). `conflict`: the new address is another
   * account's (unique index; never thrown); `unknown`: no such user.
   */
  markEmailVerified(userId: number, at: Date, newAddress?: { email: string; emailNormalized: string }): Promise<'ok' | 'conflict' | 'unknown'>;
  /** Deletes the account; its sessions (SQL), tokens and known devices go with it (foreign keys). False when no such user. */
  deleteUser(userId: number): Promise<boolean>;
}

/**
 * Credentials of an account (the password today; second factors and passkeys next) and the
 * account's credential version. Every session records the version it was made under and
 * stops working once the version moves on (Django's `get_session_auth_hash`): a password
 * change or reset, "this wasn't me", and admin actions that end sessions bump it.
 */
export interface CredentialStore {
  /**
   * Stores a new password hash and bumps the credential version in one statement; returns
   * the new version, or undefined when no such user.
   */
  replacePassword(userId: number, passwordHash: string, state: PasswordState): Promise<number | undefined>;
  /** Stores a re-hash of the same password (parameters or pepper changed); the version stays. */
  rehashPassword(userId: number, passwordHash: string, state: PasswordState): Promise<void>;
  /** Records the outcome of checking the stored password against the policy. */
  setPasswordState(userId: number, state: PasswordState): Promise<void>;
  /** Bumps the credential version; returns the new one, or undefined when no such user. */
  bumpCredentialVersion(userId: number): Promise<number | undefined>;
}

export interface SessionStore {
  createSession(session: Session): Promise<void>;
  /** The session and its user, read together (one indexed query on SQL). */
  findSessionAndUser(idHash: string): Promise<{ session: Session; user: User } | undefined>;
  touchSession(idHash: string, lastSeenAt: Date): Promise<void>;
  /**
   * The session whose forward-auth proxy token hashes to `proxyTokenHash`, and its user (one
   * read on a unique index on SQL). Undefined once the session is gone or the token replaced.
   */
  findSessionAndUserByProxyHash(proxyTokenHash: string): Promise<{ session: Session; user: User } | undefined>;
  /** Gives a live session a (new) proxy token hash, voiding any earlier one; false when the session no longer exists (never resurrects). */
  setProxyTokenHash(idHash: string, proxyTokenHash: string): Promise<boolean>;
  /**
   * Moves a live session to a new credential version (the session that changed the password
   * stays signed in); does nothing when the session no longer exists (never resurrects).
   */
  setCredentialVersion(idHash: string, credentialVersion: number): Promise<void>;
  /** Records a password confirmation at /sudo; does nothing when the session no longer exists. */
  markReauthenticated(idHash: string, at: Date): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes every session of the user except `exceptIdHash`; returns how many. */
  deleteSessionsForUser(userId: number, exceptIdHash?: string): Promise<number>;
  deleteExpiredSessions(now: Date, idleTimeoutSeconds: number): Promise<number>;
  /** Every stored session of the user (expired or stale ones included: the caller filters), for the sessions page. */
  listSessionsForUser(userId: number): Promise<Session[]>;
  /**
   * Deletes the user's session with that public id; false when the user has none with it
   * (another user's id included: a user can end only their own sessions).
   */
  deleteSessionByPublicId(userId: number, publicId: string): Promise<boolean>;
  /**
   * How many sessions are live at `now`: before their absolute expiry and seen within the
   * idle timeout (the admin console's figure; a count, no rows read into memory).
   */
  countLiveSessions(now: Date, idleTimeoutSeconds: number): Promise<number>;
}

/**
 * Browsers known to an account (issue #10): the SHA-256 of each `gatehouse_device` cookie
 * that signed in to it. Outside the unit of work: a device row is a convenience, not state a
 * change depends on.
 */
export interface KnownDeviceStore {
  /** Point reads, whatever the number of devices: is this device known to the user, and is any device known at all. */
  lookup(userId: number, deviceHash: string): Promise<{ known: boolean; anyKnown: boolean }>;
  /** Records a sign-in of the device: inserted when new (the least recently seen beyond a bound forgotten), `last_seen_at` moved when known. */
  remember(userId: number, deviceHash: string, now: Date, known: boolean): Promise<void>;
}

/** The stores that share one database transaction. Grows with tokens, mail and audit. */
export interface TransactionStores {
  users: UserStore;
  credentials: CredentialStore;
  tokens: TokenStore;
  mail: MailQueue;
  secondFactors: SecondFactorStore;
  passkeys: PasskeyStore;
  /** OpenID Connect clients and signing keys (issue #13), so a change and its audit row commit together. */
  oidcClients: OidcClientStore;
  oidcKeys: OidcKeyStore;
  /** Record last, after the change the event records (see AuditLog). */
  audit: AuditLog;
}

/**
 * Runs `work` inside one database transaction: every write through the given stores commits
 * when `work` resolves and rolls back when it throws (the error is rethrown).
 */
export interface Transactor {
  run<T>(work: (stores: TransactionStores) => Promise<T>): Promise<T>;
}

/** What a single-use token is for; each purpose has its own lifetime (domain/tokens). */
export type TokenPurpose = 'verify-email' | 'change-email' | 'password-reset' | 'secure-account' | 'pending-sign-in';

/**
 * Single-use tokens (email verification, password reset, "this wasn't me"; issue #10): only
 * a SHA-256 of the token is stored, with its purpose, user, expiry and optional `data`.
 * `consumeToken` removes the row it returns with a guarded delete, so of two racing uses
 * exactly one gets it: a token works at most once.
 */
export interface TokenStore {
  createToken(token: { hash: string; purpose: TokenPurpose; userId: number; data?: string | null; createdAt: Date; expiresAt: Date }): Promise<void>;
  /** The token's user and data without using it up (a pending sign-in read before its code is checked). */
  findToken(hash: string, purpose: TokenPurpose, now: Date): Promise<{ userId: number; data: string | null } | undefined>;
  /** The token's user and data, deleted in the same step; undefined when unknown, used, expired or of another purpose. */
  consumeToken(hash: string, purpose: TokenPurpose, now: Date): Promise<{ userId: number; data: string | null } | undefined>;
  /** Deletes the user's tokens (of one purpose, or all); returns how many. */
  deleteTokensForUser(userId: number, purpose?: TokenPurpose): Promise<number>;
}

/** One message, rendered (both bodies), ready to send. */
export interface OutgoingMail {
  to: string;
  /** What it is about (`verify-email`, `password-reset`, …): listed by `gatehouse mail-queue`. */
  kind: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A message the domain wants sent, by kind and facts only: the composer (src/messages/mail.ts)
 * writes the sentences in `locale` and builds absolute links from `BASE_URL` + `links`.
 */
export interface MailRequest {
  kind: string;
  to: string;
  /** The recipient's language (`en`, `es`); unknown values read as English. */
  locale: string;
  /** Values the sentences quote (a username, a time, an IP, a device). */
  params?: Readonly<Record<string, string | number>>;
  /** Named links, as paths with their query (`/reset-password?token=…`); made absolute by the composer. */
  links?: Readonly<Record<string, string>>;
}

/** Turns a MailRequest into a rendered message (subject, plain text and HTML). */
export interface MailComposer {
  compose(request: MailRequest): OutgoingMail;
}

/** A queued message as the sender sees it once claimed. */
export interface ClaimedMail extends OutgoingMail {
  id: number;
  attempts: number;
}

/** What `gatehouse mail-queue` shows of a message: never its body, which holds links. */
export interface QueuedMailSummary {
  id: number;
  to: string;
  kind: string;
  status: 'pending' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
}

/**
 * Outgoing mail (issue #10). `enqueue` writes in the transaction of the change the mail
 * belongs to; the sender claims due messages with a lease (a guarded update: one claimer
 * wins a row, on every backend), then marks each sent (its body is erased) or due again.
 */
export interface MailQueue {
  enqueue(mail: OutgoingMail, now: Date): Promise<void>;
  /** At most `limit` due, unclaimed messages, now leased until `leaseUntil`. */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedMail[]>;
  markSent(id: number, now: Date): Promise<void>;
  /** Back in the queue at `nextAttemptAt`, or `failed` (kept, listed) when that is null. */
  markFailed(id: number, error: string, nextAttemptAt: Date | null): Promise<void>;
  listUnsent(): Promise<QueuedMailSummary[]>;
  /** Deletes every queued message (sent or not) to `to`, compared as stored; returns how many. */
  deleteForRecipient(to: string): Promise<number>;
}

/**
 * The tamper-evident security event log (issue #11; domain/audit). `tx.audit` writes in the
 * caller's transaction, so a change and its record commit together or not at all; the
 * standalone one (dependencies) opens its own for events with no change to join (a refused
 * sign-in). Appending takes the chain-head lock until commit: record last in a transaction
 * (after the change it records), so every transaction takes that lock last and none deadlock.
 */
export interface AuditLog {
  record(event: AuditEvent, context: AuditContext): Promise<void>;
  /**
   * Writes the event with the next group commit without waiting for it: for refusals that change
   * nothing and may come in floods (a throttled sign-in must stay cheap: no durable write on its
   * path). A failure is reported to the server's log, not to the caller. Optional: a log without
   * it records at once.
   */
  enqueue?(event: AuditEvent, context: AuditContext): void;
}

/** The chain's upkeep: `gatehouse audit-verify` and the retention job. */
export interface AuditMaintenance {
  /** Walks the chain from its anchor; names the first broken row. */
  verify(): Promise<ChainVerdict>;
  /**
   * Removes events older than `before`, moves the anchor to the last one removed and records
   * an `audit.pruned` checkpoint, in one transaction; the chain still verifies.
   */
  prune(before: Date): Promise<{ removed: number }>;
}

/** An account's TOTP secret (sealed) and where it stands (issue #12). */
export interface TotpCredential {
  /** `sealText` of the base32 secret under the two-factor key of `keyVersion`. */
  secretSealed: string;
  keyVersion: number;
  /** The newest time step accepted (a code works once); null before the first use. */
  lastStep: number | null;
  /** Null while the enrolment waits for its first correct code. */
  confirmedAt: Date | null;
}

/**
 * TOTP secrets and recovery codes (issue #12). In the unit of work (`tx.secondFactors`) so an
 * enrolment, its recovery codes and its audit row commit together. `useStep` and
 * `useRecoveryCode` are guarded updates: of two racing uses of one code exactly one wins.
 */
export interface SecondFactorStore {
  findTotp(userId: number): Promise<TotpCredential | undefined>;
  /** Stores (or replaces) an unconfirmed secret; a confirmed one is left alone (returns false). */
  saveUnconfirmedTotp(userId: number, secretSealed: string, keyVersion: number, now: Date): Promise<boolean>;
  /** Confirms the pending secret at `step` (its first use); false when there is none pending. */
  confirmTotp(userId: number, step: number, now: Date): Promise<boolean>;
  /** Accepts `step` once: false when it (or a later one) was already used, or there is no confirmed secret. */
  useStep(userId: number, step: number): Promise<boolean>;
  /** Removes the secret and every recovery code; false when there was no confirmed secret. */
  removeTotp(userId: number): Promise<boolean>;
  /** Replaces every recovery code of the user by these hashes. */
  replaceRecoveryCodes(userId: number, hashes: readonly string[], now: Date): Promise<void>;
  /** Spends one unused code; false when unknown or already used. */
  useRecoveryCode(userId: number, hash: string, now: Date): Promise<boolean>;
  countUnusedRecoveryCodes(userId: number): Promise<number>;
}

/** Where an account's recent failed sign-ins came from, read from the audit log (`unblock`). */
export interface FailedSignInSources {
  ipsWithFailures(userId: number, since: Date): Promise<string[]>;
}

/** The admin console's and `/settings/activity`'s view of the audit log (read only). */
export interface AuditFilter {
  /** Events about or by this user. */
  userId?: number;
  type?: string;
  ip?: string;
  /** Inclusive lower and exclusive upper bound of `at`. */
  from?: Date;
  to?: Date;
}

export interface AuditReader {
  /** Newest first; keyset on `seq` (events with seq < beforeSeq). */
  search(filter: AuditFilter, page: { limit: number; beforeSeq?: number }): Promise<StoredAuditEvent[]>;
  /** Every match, newest first, in batches (exports; memory stays flat). */
  stream(filter: AuditFilter): AsyncIterable<StoredAuditEvent>;
  /** The user's recent events (about them or by them), newest first. */
  forUser(userId: number, limit: number): Promise<StoredAuditEvent[]>;
  /** Sign-in outcomes in `buckets` equal slices of [from, to). */
  signInActivity(from: Date, to: Date, buckets: number): Promise<Array<{ start: Date; succeeded: number; failed: number; throttled: number }>>;
  /** The IPs and known accounts with the most failed sign-ins since `since`. */
  topFailing(since: Date, limit: number): Promise<{ ips: Array<{ ip: string; count: number }>; accounts: Array<{ userId: number; count: number }> }>;
}

/** Finding accounts for the admin console and `gatehouse list-users`. */
export interface UserSearch {
  /** Username or email prefix, compared in normalised form; empty or absent: everyone. */
  prefix?: string;
  role?: Role;
  disabled?: boolean;
  verified?: boolean;
  sort: 'username' | 'created';
  direction: 'asc' | 'desc';
  /** Opaque keyset cursor: the previous page's `next`. */
  after?: string;
  limit: number;
}

export interface UserDirectory {
  search(query: UserSearch): Promise<{ users: User[]; next: string | null }>;
  counts(): Promise<{ users: number; unverified: number; disabled: number; admins: number }>;
}

/** A WebAuthn credential of an account (issue #12; domain/passkeys). */
export interface Passkey {
  /** The credential id, base64url: unique across every account (the primary key). */
  credentialId: string;
  userId: number;
  /** The credential's COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter as last seen (0: it keeps none). */
  signCount: number;
  /** How the browser may reach it (`internal`, `hybrid`, `usb`, …), as it reported them. */
  transports: readonly string[];
  name: string;
  /** Synced by its provider (the backup-state flag of its last use). */
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * Passkeys (issue #12). Every write but `recordPasskeyUse` names the owner too, so a user can
 * rename or remove only their own: another account's credential id matches no row and
 * changes nothing. In the unit of work (`tx.passkeys`) so a change and its audit row commit
 * together.
 */
export interface PasskeyStore {
  /** Inserts; a credential id already registered (to anyone) is `conflict`, never thrown. */
  createPasskey(passkey: Passkey): Promise<'created' | 'conflict'>;
  /** The user's passkeys, oldest first. */
  listPasskeysForUser(userId: number): Promise<Passkey[]>;
  findPasskey(credentialId: string): Promise<Passkey | undefined>;
  countPasskeysForUser(userId: number): Promise<number>;
  /**
   * A guarded update: moves the counter from `expectedSignCount` to `signCount` and records
   * the use; false when the stored counter is no longer `expectedSignCount` (a racing use of
   * the same assertion or of a clone) or the passkey is gone.
   */
  recordPasskeyUse(credentialId: string, use: { expectedSignCount: number; signCount: number; backedUp: boolean; at: Date }): Promise<boolean>;
  /** False when the user has no passkey with that id. */
  renamePasskey(userId: number, credentialId: string, name: string): Promise<boolean>;
  /** False when the user has no passkey with that id. */
  deletePasskey(userId: number, credentialId: string): Promise<boolean>;
}

/** What a WebAuthn challenge was issued for. */
export type WebauthnChallengePurpose = 'registration' | 'sign-in' | 'second-factor';

/**
 * WebAuthn challenges (issue #12): only a SHA-256 is stored (domain/passkeys/challenges.ts
 * says of what), with its purpose, the user it was issued for (null for a usernameless
 * sign-in) and its expiry. `consumeChallenge` removes the row with a guarded delete, so a
 * challenge is answered at most once, whoever races.
 */
export interface WebauthnChallengeStore {
  /** Stores a new challenge, clearing expired ones on the way (the table stays small). */
  saveChallenge(challenge: { hash: string; purpose: WebauthnChallengePurpose; userId: number | null; expiresAt: Date }, now: Date): Promise<void>;
  /** The challenge's user, deleted in the same step; undefined when unknown, used, expired or of another purpose. */
  consumeChallenge(hash: string, purpose: WebauthnChallengePurpose, now: Date): Promise<{ userId: number | null } | undefined>;
}

// ---- OpenID Connect provider (issue #13) ----
// Agreed between the provider (src/http/oidc) and the storage side (src/storage/oidc, sql,
// redis); additions beyond the agreed text are marked "(added)".

export type OidcSigningAlg = 'ES256' | 'EdDSA' | 'RS256';

export interface OidcClient {
  /** Random, ≥128 bits, url-safe. */
  clientId: string;
  name: string;
  /** Exact-match list (v5.0.0-10.4.1). */
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** May skip consent (v5.0.0-10.7.1). */
  firstParty: boolean;
  /** No secret, PKCE required, token_endpoint_auth_method 'none'. */
  public: boolean;
  /** 'ES256' unless registered as 'RS256' (v5.0.0-11.6.1). */
  idTokenSigningAlg: OidcSigningAlg;
  /**
   * (added) How a confidential client authenticates at the token endpoint: `client_secret_basic`
   * (default) or `client_secret_post` (Nextcloud's user_oidc); always `none` for a public one.
   */
  tokenEndpointAuthMethod: OidcTokenEndpointAuthMethod;
  createdAt: Date;
}

export type OidcTokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface OidcClientStore {
  createClient(client: OidcClient, secretSealed: string | null): Promise<'created' | 'conflict'>;
  listClients(): Promise<OidcClient[]>;
  findClient(clientId: string): Promise<{ client: OidcClient; secretSealed: string | null } | undefined>;
  /** Deletes the client and, in the same transaction, every grant and token issued to it. */
  deleteClient(clientId: string): Promise<boolean>;
}

export interface OidcSigningKey {
  kid: string;
  alg: OidcSigningAlg;
  privateJwkSealed: string;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface OidcKeyStore {
  /** Newest first; retired keys stay (published for verification) until deleted. */
  listKeys(): Promise<OidcSigningKey[]>;
  /** One transaction: mark the current keys retired at `at`, add `next`, delete keys retired before `deleteRetiredBefore`. */
  rotate(next: OidcSigningKey[], at: Date, deleteRetiredBefore: Date): Promise<void>;
  /**
   * (added) The first keys, only if there are none yet: a unique index on the key generation
   * decides between two instances starting at once; the loser gets `exists` (never thrown)
   * and reads the winner's keys.
   */
  createInitial(keys: OidcSigningKey[]): Promise<'created' | 'exists'>;
}

/** oidc-provider's models (Session, AccessToken, AuthorizationCode, RefreshToken, Grant, Interaction, ReplayDetection, …) by name and id. */
export type OidcPayload = Record<string, unknown>;

export interface OidcPayloadStore {
  upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds: number): Promise<void>;
  find(model: string, id: string): Promise<OidcPayload | undefined>;
  findByUid(model: string, uid: string): Promise<OidcPayload | undefined>;
  findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined>;
  /** Sets payload.consumed = epoch seconds. */
  consume(model: string, id: string): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
  /** Every Grant, token, code and provider Session of this subject (`accountId` = the user's OIDC subject). */
  revokeByAccount(accountId: string): Promise<number>;
  /** The grants this subject gave, for the connected-apps page (v5.0.0-10.7.3). */
  listGrants(accountId: string): Promise<Array<{ grantId: string; clientId: string; scopes: string[]; createdAt: Date; expiresAt: Date | null }>>;
  /**
   * (added) Every grant, code and token issued to the client; returns how many. The SQL client
   * store already deletes them with the client (one transaction); payloads in Redis cannot
   * join that transaction, so the client service calls this right after.
   */
  revokeByClient(clientId: string): Promise<number>;
  /** (added) Deletes rows expired before `now`; returns how many (SQL; Redis expires keys itself and returns 0). */
  pruneExpired(now: Date): Promise<number>;
}

/**
 * (added) Users' stable OIDC subjects: a random ≥128-bit base64url value per account
 * (`users.oidc_subject`, unique), never the numeric id, so it reveals nothing and survives
 * renames.
 */
export interface OidcSubjectStore {
  /** The user's subject; undefined when no such user. */
  subjectFor(userId: number): Promise<string | undefined>;
  /** The user a subject belongs to; undefined when none. */
  findUserBySubject(subject: string): Promise<User | undefined>;
}
