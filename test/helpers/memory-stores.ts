/**
 * In-memory implementations of the domain's storage ports (users, credentials, sessions,
 * transactor) for domain tests: the same contracts as the SQL stores (unique normalised
 * username and email decided at insert, credential version bumped by the write itself),
 * without a database. A transaction works on a copy of the rows and publishes it only when
 * the work resolves, so a rollback is observable. `failDeletes` makes session deletes throw,
 * as a session store that cannot be reached would.
 */
import type { AuditContext, AuditEvent } from '../../src/domain/audit/events.ts';
import type {
  AuditLog,
  CreateUserResult,
  CredentialStore,
  MailQueue,
  OidcClientStore,
  OidcKeyStore,
  OutgoingMail,
  PasskeyStore,
  SecondFactorStore,
  SessionStore,
  TokenPurpose,
  TokenStore,
  TransactionStores,
  Transactor,
  UserStore,
} from '../../src/domain/ports.ts';
import type { Session } from '../../src/domain/sessions/session.ts';
import type { User, UserWithPassword } from '../../src/domain/users/user.ts';

interface UserRow extends UserWithPassword {
  usernameNormalized: string;
  emailNormalized: string;
}

function publicUser(row: UserRow): User {
  const { passwordHash: _h, passwordPolicy: _p, usernameNormalized: _u, emailNormalized: _e, ...user } = row;
  return { ...user };
}

function userStoreOver(rows: Map<number, UserRow>, ids: { next: number }): UserStore {
  const byIdentifier = (identifier: string) =>
    [...rows.values()].find((row) => (identifier.includes('@') ? row.emailNormalized : row.usernameNormalized) === identifier);
  return {
    async createUser(user): Promise<CreateUserResult> {
      const existing = [...rows.values()];
      if (existing.some((row) => row.usernameNormalized === user.usernameNormalized)) return { ok: false, conflict: 'username' };
      if (existing.some((row) => row.emailNormalized === user.emailNormalized)) return { ok: false, conflict: 'email' };
      const row: UserRow = {
        id: ids.next++,
        username: user.username,
        usernameNormalized: user.usernameNormalized,
        email: user.email,
        emailNormalized: user.emailNormalized,
        role: user.role,
        disabled: false,
        mustChangePassword: false,
        credentialVersion: 0,
        emailVerifiedAt: null,
        locale: user.locale ?? null,
        createdAt: user.createdAt,
        passwordHash: user.passwordHash,
        passwordPolicy: user.passwordPolicy ?? null,
      };
      rows.set(row.id, row);
      return { ok: true, user: publicUser(row) };
    },
    async findUserById(id) {
      const row = rows.get(id);
      return row && publicUser(row);
    },
    async usernamesByIds(wanted) {
      const names = new Map<number, string>();
      for (const id of wanted) {
        const row = rows.get(id);
        if (row) names.set(id, row.username);
      }
      return names;
    },
    async findUserByUsername(name) {
      const row = [...rows.values()].find((candidate) => candidate.usernameNormalized === name);
      return row && publicUser(row);
    },
    async findUserForLogin(identifier) {
      const row = byIdentifier(identifier);
      return row && { ...row };
    },
    async setLocale(userId, locale) {
      const row = rows.get(userId);
      if (row) row.locale = locale;
    },
    async countActiveAdmins() {
      return [...rows.values()].filter((row) => row.role === 'admin' && !row.disabled).length;
    },
    async lockActiveAdmins() {
      // One process, no concurrency to lock against.
      return [...rows.values()].filter((row) => row.role === 'admin' && !row.disabled).map((row) => row.id);
    },
    async setRole(userId, role) {
      const row = rows.get(userId);
      if (row) row.role = role;
      return row !== undefined;
    },
    async setDisabled(userId, disabled) {
      const row = rows.get(userId);
      if (row) row.disabled = disabled;
      return row !== undefined;
    },
    async deleteUser(userId) {
      return rows.delete(userId);
    },
    async markEmailVerified(userId, at, newAddress) {
      const row = rows.get(userId);
      if (!row) return 'unknown';
      if (newAddress && [...rows.values()].some((other) => other.id !== userId && other.emailNormalized === newAddress.emailNormalized)) return 'conflict';
      if (newAddress) Object.assign(row, newAddress);
      row.emailVerifiedAt = at;
      return 'ok';
    },
  };
}

function credentialStoreOver(rows: Map<number, UserRow>): CredentialStore {
  const bump = (userId: number) => {
    const row = rows.get(userId);
    if (!row) return undefined;
    row.credentialVersion += 1;
    return row.credentialVersion;
  };
  return {
    async replacePassword(userId, passwordHash, state) {
      const row = rows.get(userId);
      if (!row) return undefined;
      Object.assign(row, { passwordHash, ...state });
      return bump(userId);
    },
    async rehashPassword(userId, passwordHash, state) {
      const row = rows.get(userId);
      if (row) Object.assign(row, { passwordHash, ...state });
    },
    async setPasswordState(userId, state) {
      const row = rows.get(userId);
      if (row) Object.assign(row, state);
    },
    bumpCredentialVersion: async (userId) => bump(userId),
  };
}

export interface MemoryStores {
  users: UserStore;
  credentials: CredentialStore;
  sessionStore: SessionStore;
  transactor: Transactor;
  /** The stored session rows, by id hash (for assertions). */
  sessionRows: Map<string, Session>;
  /** When true, every session delete throws, as an unreachable store would. */
  failDeletes: boolean;
  /** Mail enqueued by committed transactions, in order. */
  outbox: OutgoingMail[];
  /** Audit events recorded by committed transactions or the standalone log, in order. */
  auditEvents: Array<AuditEvent & AuditContext>;
  /** The standalone audit log (appends at once). */
  audit: AuditLog;
}

/** Second factors are tested on the SQL store only (test/contracts, test/http). */
const refuseSecondFactors: SecondFactorStore = new Proxy({} as SecondFactorStore, {
  get: () => async () => {
    throw new Error('the in-memory stores have no second factors');
  },
});

/** Passkeys are tested on the SQL store only (test/http/passkeys.test.ts). */
const refusePasskeys: PasskeyStore = new Proxy({} as PasskeyStore, {
  get: () => async () => {
    throw new Error('the in-memory stores have no passkeys');
  },
});

const refuseOidc = new Proxy({} as OidcClientStore & OidcKeyStore, {
  get: () => async () => {
    throw new Error('the in-memory stores have no OpenID Connect clients or keys');
  },
});

/** Domain tests only enqueue; the sender's side is tested on the SQL queue. */
const refuseMailQueue: MailQueue = {
  enqueue: async () => {},
  claimDue: async () => {
    throw new Error('the in-memory stores do not send mail');
  },
  markSent: async () => {},
  markFailed: async () => {},
  listUnsent: async () => [],
  deleteForRecipient: async () => 0,
};

export function createMemoryStores(): MemoryStores {
  let rows = new Map<number, UserRow>();
  const ids = { next: 1 };
  const sessionRows = new Map<string, Session>();
  const outbox: OutgoingMail[] = [];
  const auditEvents: Array<AuditEvent & AuditContext> = [];
  const audit: AuditLog = { record: async (event, context) => void auditEvents.push({ ...event, ...context }) };
  const tokenRows = new Map<string, { purpose: TokenPurpose; userId: number; data: string | null; expiresAt: Date }>();
  const tokens: TokenStore = {
    async createToken(token) {
      tokenRows.set(token.hash, { purpose: token.purpose, userId: token.userId, data: token.data ?? null, expiresAt: token.expiresAt });
    },
    async findToken(hash, purpose, now) {
      const row = tokenRows.get(hash);
      return row && row.purpose === purpose && row.expiresAt > now ? { userId: row.userId, data: row.data } : undefined;
    },
    async consumeToken(hash, purpose, now) {
      const row = tokenRows.get(hash);
      if (!row || row.purpose !== purpose) return undefined;
      tokenRows.delete(hash);
      return row.expiresAt > now ? { userId: row.userId, data: row.data } : undefined;
    },
    async deleteTokensForUser(userId, purpose) {
      let count = 0;
      for (const [hash, row] of tokenRows) {
        if (row.userId === userId && (purpose === undefined || row.purpose === purpose)) {
          tokenRows.delete(hash);
          count += 1;
        }
      }
      return count;
    },
  };
  const state = { failDeletes: false };
  // The live stores read `rows` through this indirection, so a committed transaction's copy replaces it.
  const live = {
    get rows() {
      return rows;
    },
  };
  const users: UserStore = {
    createUser: (u) => userStoreOver(live.rows, ids).createUser(u),
    findUserById: (id) => userStoreOver(live.rows, ids).findUserById(id),
    usernamesByIds: (wanted) => userStoreOver(live.rows, ids).usernamesByIds(wanted),
    findUserByUsername: (n) => userStoreOver(live.rows, ids).findUserByUsername(n),
    findUserForLogin: (i) => userStoreOver(live.rows, ids).findUserForLogin(i),
    countActiveAdmins: () => userStoreOver(live.rows, ids).countActiveAdmins(),
    lockActiveAdmins: () => userStoreOver(live.rows, ids).lockActiveAdmins(),
    setLocale: (id, l) => userStoreOver(live.rows, ids).setLocale(id, l),
    setRole: (id, r) => userStoreOver(live.rows, ids).setRole(id, r),
    setDisabled: (id, d) => userStoreOver(live.rows, ids).setDisabled(id, d),
    deleteUser: (id) => userStoreOver(live.rows, ids).deleteUser(id),
    markEmailVerified: (id, at, address) => userStoreOver(live.rows, ids).markEmailVerified(id, at, address),
  };
  const credentials: CredentialStore = {
    replacePassword: (id, h, s) => credentialStoreOver(live.rows).replacePassword(id, h, s),
    rehashPassword: (id, h, s) => credentialStoreOver(live.rows).rehashPassword(id, h, s),
    setPasswordState: (id, s) => credentialStoreOver(live.rows).setPasswordState(id, s),
    bumpCredentialVersion: (id) => credentialStoreOver(live.rows).bumpCredentialVersion(id),
  };
  const refuseIfFailing = () => {
    if (state.failDeletes) throw new Error('session store unreachable');
  };
  const sessionStore: SessionStore = {
    async createSession(session) {
      sessionRows.set(session.idHash, { ...session });
    },
    async findSessionAndUser(idHash) {
      const session = sessionRows.get(idHash);
      const row = session && rows.get(session.userId);
      return session && row ? { session: { ...session }, user: publicUser(row) } : undefined;
    },
    async findSessionAndUserByProxyHash(proxyTokenHash) {
      const session = [...sessionRows.values()].find((candidate) => candidate.proxyTokenHash === proxyTokenHash);
      const row = session && rows.get(session.userId);
      return session && row ? { session: { ...session }, user: publicUser(row) } : undefined;
    },
    async setProxyTokenHash(idHash, proxyTokenHash) {
      const session = sessionRows.get(idHash);
      if (session) session.proxyTokenHash = proxyTokenHash;
      return session !== undefined;
    },
    async touchSession(idHash, lastSeenAt) {
      const session = sessionRows.get(idHash);
      if (session) session.lastSeenAt = lastSeenAt;
    },
    async setCredentialVersion(idHash, credentialVersion) {
      const session = sessionRows.get(idHash);
      if (session) session.credentialVersion = credentialVersion;
    },
    async markReauthenticated(idHash, at) {
      const session = sessionRows.get(idHash);
      if (session) session.reauthenticatedAt = at;
    },
    async deleteSession(idHash) {
      refuseIfFailing();
      sessionRows.delete(idHash);
    },
    async deleteSessionsForUser(userId, exceptIdHash) {
      refuseIfFailing();
      let count = 0;
      for (const [idHash, session] of sessionRows) {
        if (session.userId === userId && idHash !== exceptIdHash) {
          sessionRows.delete(idHash);
          count += 1;
        }
      }
      return count;
    },
    async listSessionsForUser(userId) {
      return [...sessionRows.values()].filter((session) => session.userId === userId).map((session) => ({ ...session }));
    },
    async deleteSessionByPublicId(userId, publicId) {
      refuseIfFailing();
      for (const [idHash, session] of sessionRows) {
        if (session.userId === userId && session.publicId === publicId) return sessionRows.delete(idHash);
      }
      return false;
    },
    async deleteExpiredSessions(now, idleTimeoutSeconds) {
      let count = 0;
      for (const [idHash, session] of sessionRows) {
        if (session.expiresAt <= now || session.lastSeenAt.getTime() <= now.getTime() - idleTimeoutSeconds * 1000) {
          sessionRows.delete(idHash);
          count += 1;
        }
      }
      return count;
    },
    async countLiveSessions(now, idleTimeoutSeconds) {
      const idleSince = now.getTime() - idleTimeoutSeconds * 1000;
      return [...sessionRows.values()].filter((session) => session.expiresAt > now && session.lastSeenAt.getTime() > idleSince).length;
    },
  };
  const transactor: Transactor = {
    async run(work) {
      const copy = new Map([...rows].map(([id, row]) => [id, { ...row }]));
      const queued: OutgoingMail[] = [];
      const recorded: Array<AuditEvent & AuditContext> = [];
      const stores: TransactionStores = {
        users: userStoreOver(copy, ids),
        credentials: credentialStoreOver(copy),
        // Token writes apply at once (no rollback here); the SQL store's contract covers that.
        tokens,
        mail: { ...refuseMailQueue, enqueue: async (mail) => void queued.push(mail) },
        secondFactors: refuseSecondFactors,
        passkeys: refusePasskeys,
        oidcClients: refuseOidc,
        oidcKeys: refuseOidc,
        audit: { record: async (event, context) => void recorded.push({ ...event, ...context }) },
      };
      const result = await work(stores);
      rows = copy;
      outbox.push(...queued);
      auditEvents.push(...recorded);
      return result;
    },
  };
  return {
    users,
    credentials,
    sessionStore,
    transactor,
    sessionRows,
    outbox,
    auditEvents,
    audit,
    get failDeletes() {
      return state.failDeletes;
    },
    set failDeletes(value: boolean) {
      state.failDeletes = value;
    },
  };
}
