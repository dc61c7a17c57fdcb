/**
 * Wiring: the only place (with main.ts) that picks concrete stores. Opens the database (and
 * Redis when REDIS_URL is set), builds the stores and the domain services on top, and
 * returns what the HTTP layer and the CLI need, plus `close()`.
 *
 * Without Redis: sessions in SQL, throttle counters in SQL (or memory). With Redis: sessions
 * and counters in Redis, shared by every instance; users stay in SQL, the source of truth.
 */
import { Redis } from 'ioredis';
import { pendingMigrations } from './storage/migrate.ts';
import { verifySmtp } from './storage/mail/transports.ts';
import type { Config } from './config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { deriveKey, openText } from './domain/crypto.ts';
import { createLoginService } from './domain/login/login.ts';
import { createReauthenticationService } from './domain/login/reauthentication.ts';
import { createSecondStepService } from './domain/login/second-step.ts';
import { createTwoFactorService } from './domain/two-factor/two-factor.ts';
import { createSqlSecondFactorStore } from './storage/sql/second-factor-store.ts';
import { createPasswordHasher } from './domain/passwords/hasher.ts';
import { createPasswordChangeService } from './domain/passwords/password-change.ts';
import { createPasswordRecoveryService } from './domain/recovery/password-reset.ts';
import { createSecureAccountService } from './domain/recovery/secure-account.ts';
import { passwordFailsPolicy } from './domain/passwords/policy.ts';
import { policyFingerprint } from './domain/passwords/policy-fingerprint.ts';
import { createSessionService } from './domain/sessions/session-service.ts';
import { defineLimits } from './domain/throttle/limits.ts';
import { createLoginGuard } from './domain/throttle/login-guard.ts';
import { createRegistrationService } from './domain/users/registration.ts';
import { createUserService } from './domain/users/user-service.ts';
import { createAccountDeletionService } from './domain/users/account-deletion.ts';
import { createEmailVerificationService } from './domain/users/email-verification.ts';
import { createEmailChangeService } from './domain/users/email-change.ts';
import type { AuditMaintenance, MailQueue, QueuedMailSummary } from './domain/ports.ts';
import { type AuditSink, createSqlAuditLog, createSqlAuditMaintenance, createSqlFailedSignInSources } from './storage/sql/audit-store.ts';
import { createSqlAuditReader } from './storage/sql/audit-queries.ts';
import { createSqlUserDirectory } from './storage/sql/user-directory.ts';
import { createAdminOverviewService } from './domain/admin/overview.ts';
import type { HttpDependencies } from './http/dependencies-types.ts';
import type { DatabaseHandle } from './storage/database.ts';
import { openDatabase } from './storage/open-database.ts';
import { createRedisSessionStore } from './storage/redis/session-store.ts';
import { createSqlSessionStore } from './storage/sql/session-store.ts';
import { createMailComposer } from './messages/mail.ts';
import { createSqlMailQueue } from './storage/sql/mail-queue-store.ts';
import { createSqlTokenStore } from './storage/sql/token-store.ts';
import { createSqlTransactor } from './storage/sql/transactor.ts';
import { createSqlCredentialStore, createSqlUserStore } from './storage/sql/user-store.ts';
import { createThrottle } from './storage/throttle.ts';
import { createDeviceRecognition } from './domain/devices/device-recognition.ts';
import { createSqlKnownDeviceStore } from './storage/sql/known-device-store.ts';
import { createPasskeyService } from './domain/passkeys/passkey-service.ts';
import { relyingPartyFor } from './domain/passkeys/relying-party.ts';
import { createSqlPasskeyStore } from './storage/sql/passkey-store.ts';
import { createSqlWebauthnChallengeStore } from './storage/sql/webauthn-challenge-store.ts';
import { createOidcClientService } from './domain/oidc/clients.ts';
import { createOidcSigningKeys } from './domain/oidc/signing-keys.ts';
import { createOidcSubjects } from './domain/oidc/subjects.ts';
import { createOidcSessionLinks, createOidcUserRevocation, withOidcSignOut } from './domain/oidc/interaction-links.ts';
import { createOidcAdapter } from './storage/oidc/adapter.ts';
import { createRedisOidcPayloadStore } from './storage/redis/oidc-payload-store.ts';
import { createSqlOidcClientStore } from './storage/sql/oidc-client-store.ts';
import { createSqlOidcKeyStore } from './storage/sql/oidc-key-store.ts';
import { createSqlOidcPayloadStore } from './storage/sql/oidc-payload-store.ts';
import { createSqlOidcSubjectStore } from './storage/sql/oidc-subject-store.ts';

export interface AppDependencies extends HttpDependencies {
  database: DatabaseHandle;
  redis: Redis | undefined;
  /** The outgoing mail queue, for the sender (main.ts) and `gatehouse mail-queue`. */
  mailQueue: MailQueue;
  /** Chain upkeep: `gatehouse audit-verify` and the retention job. */
  auditMaintenance: AuditMaintenance;
  /** Sends every committed audit event to `sink` too (the structured log). */
  setAuditSink(sink: AuditSink, warn?: (error: unknown) => void): void;
  close(): Promise<void>;
}

/** A Redis client that fails fast when Redis is away (no offline queue): requests get 503. */
async function connectRedis(config: Config): Promise<Redis> {
  const redis = new Redis(config.redisUrl!, {
    keyPrefix: config.redisKeyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Errors surface on the commands that fail; the event is only noise while reconnecting.
  redis.on('error', () => {});
  await redis.connect();
  return redis;
}

export async function createDependencies(
  config: Config,
  secretKey: string,
  options: { clock?: Clock; publicUrl?: () => string } = {},
): Promise<AppDependencies> {
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
  let redis: Redis | undefined;
  try {
    redis = config.redisUrl ? await connectRedis(config) : undefined;
  } catch (error) {
    await database.close();
    throw new Error(`REDIS_URL: cannot connect (${(error as Error).message})`);
  }
  const now = () => clock.now();
  const users = createSqlUserStore(database.db, now);
  const credentials = createSqlCredentialStore(database.db, now);
  // Keys per purpose from SECRET_KEY: the CLI resolves the same key, so it reads the same queue.
  const keys = {
    csrf: deriveKey(secretKey, 'csrf'),
    cookies: deriveKey(secretKey, 'cookies'),
    mail: deriveKey(secretKey, 'mail-queue'),
    audit: deriveKey(secretKey, 'audit-log'),
    // The seed of the ES256 key of X-Gatehouse-Jwt (forward-auth/signing-key.ts): SECRET_KEY rotation rotates it.
    forwardAuthJwt: deriveKey(secretKey, 'forward-auth-jwt'),
  };
  // Where recorded events go once committed (the server points it at its pino logger).
  let auditSink: AuditSink = () => {};
  const sink = () => auditSink;
  let auditWarn: (error: unknown) => void = () => {};
  const transactor = createSqlTransactor(database.db, now, keys, sink);
  const audit = createSqlAuditLog(database.db, keys.audit, now, sink, (error) => auditWarn(error));
  const auditMaintenance = createSqlAuditMaintenance(database.db, keys.audit, now, sink);
  const mailQueue = createSqlMailQueue(database.db, keys.mail);
  // Links in mail are absolute; with PORT=0 the URL is known only once listening (main.ts).
  const mailComposer = createMailComposer({ baseUrl: options.publicUrl ?? (() => config.baseUrl) });
  const sessionStore = redis ? createRedisSessionStore(redis, users, config.sessions) : createSqlSessionStore(database.db);
  // oidc-provider's sessions, grants and tokens in Redis when there is one (shared by every
  // instance), else SQL. Ending a Gatehouse session on purpose revokes what the provider
  // issued under it; ending all of a user's revokes everything the provider issued to them
  // (domain/oidc/interaction-links.ts).
  const oidcPayloads = redis ? createRedisOidcPayloadStore(redis, now) : createSqlOidcPayloadStore(database.db, now);
  const oidcSubjects = createOidcSubjects(createSqlOidcSubjectStore(database.db));
  const oidcLinks = createOidcSessionLinks(oidcPayloads);
  const sessions = withOidcSignOut(createSessionService(sessionStore, config.sessions, clock, { proxyTokens: config.sessions.proxyCookie !== undefined }), {
    store: sessionStore,
    links: oidcLinks,
    subjects: oidcSubjects,
    payloads: oidcPayloads,
  });
  const oidcRevocation = createOidcUserRevocation({ subjects: oidcSubjects, payloads: oidcPayloads });
  const hasher = await createPasswordHasher(config.passwords);
  const policy = config.passwords;
  const failedSignIns = createSqlFailedSignInSources(database.db);
  const limits = defineLimits(config.throttle);
  const throttle = redis
    ? await createThrottle({ limits, store: 'redis', redis })
    : config.throttle.store === 'sql'
      ? await createThrottle({ limits, store: 'sql', database })
      : await createThrottle({ limits, store: 'memory' });
  // Counting every request in SQL would add a write to each one; without Redis the global
  // request rate is a per-process guard kept in memory (login counters stay durable).
  const requestThrottle = redis ? throttle : await createThrottle({ limits, store: 'memory' });
  const guard = createLoginGuard(throttle, limits);
  const userService = createUserService({ users, transactor, sessions, hasher, policy, clock, mailComposer, guard, failedSignIns, audit, oidc: oidcRevocation });
  const registration = createRegistrationService({ users: userService, throttle, open: config.registration === 'open' });
  // Two-factor secrets are sealed under versioned keys from SECRET_KEY: a new version seals new
  // secrets while older ones still open what they sealed (key rotation without re-enrolment).
  const twoFactorKeys = { 1: deriveKey(secretKey, 'two-factor:v1') };
  const twoFactor = createTwoFactorService({ transactor, secondFactors: createSqlSecondFactorStore(database.db), users, hasher, guard, mailComposer, clock, keys: twoFactorKeys });
  const tokenStore = createSqlTokenStore(database.db);
  const login = createLoginService({
    users,
    credentials,
    sessions,
    hasher,
    guard,
    twoFactor,
    clock,
    tokens: tokenStore,
    devices: createDeviceRecognition({ devices: createSqlKnownDeviceStore(database.db), transactor, mailComposer, clock }),
    policy: { fingerprint: policyFingerprint(policy), fails: (password, user) => passwordFailsPolicy(password, user, policy) },
    audit,
  });
  const secondStep = createSecondStepService({ tokens: tokenStore, users, twoFactor, login, throttle, clock });
  const passwordChange = createPasswordChangeService({ transactor, users, sessions, hasher, guard, policy, mailComposer });
  const passwordRecovery = createPasswordRecoveryService({ transactor, users, sessions, hasher, throttle, mailComposer, clock, policy });
  const secureAccount = createSecureAccountService({ transactor, users, sessions, hasher, throttle, guard, mailComposer, clock });
  const reauthentication = createReauthenticationService({ users, hasher, guard, sessions, audit, clock });
  const accountDeletion = createAccountDeletionService({ transactor, users, sessions, hasher, guard, oidc: oidcRevocation });
  const emailVerification = createEmailVerificationService({ transactor, users, mailComposer, throttle, clock });
  const emailChange = createEmailChangeService({ transactor, users, hasher, mailComposer, throttle, clock });
  // The admin console's reads (issue #11).
  const auditReader = createSqlAuditReader(database.db);
  const userDirectory = createSqlUserDirectory(database.db);
  // Passkeys (issue #12): the relying party is BASE_URL's host, read per ceremony.
  const passkeys = createPasskeyService({
    passkeys: createSqlPasskeyStore(database.db),
    challenges: createSqlWebauthnChallengeStore(database.db),
    users,
    transactor,
    mailComposer,
    audit,
    clock,
    relyingParty: () => relyingPartyFor(options.publicUrl?.() ?? config.baseUrl),
    userHandleKey: deriveKey(secretKey, 'webauthn-user-handle'),
  });
  // The OpenID Connect provider's storage (issue #13): clients, keys and subjects in SQL;
  // oidc-provider's sessions, grants and tokens in Redis when there is one (shared by every
  // instance), else SQL. Secrets and private keys sealed under their own derived keys.
  const oidcClientStore = createSqlOidcClientStore(database.db);
  const oidcClients = createOidcClientService({ transactor, clients: oidcClientStore, payloads: oidcPayloads, sealKey: deriveKey(secretKey, 'oidc-clients:v1'), clock });
  const oidc = {
    clients: oidcClients,
    clientStore: oidcClientStore,
    signingKeys: createOidcSigningKeys({ store: createSqlOidcKeyStore(database.db), transactor, sealKey: deriveKey(secretKey, 'oidc-keys:v1'), clock }),
    payloads: oidcPayloads,
    subjects: oidcSubjects,
    links: oidcLinks,
    adapter: createOidcAdapter({ payloads: oidcPayloads, clients: oidcClientStore, openSecret: oidcClients.openSecret }),
  };
  const adminOverview = createAdminOverviewService({ auditReader, userDirectory, sessionStore, users, clock, idleTimeoutSeconds: config.sessions.idleTimeoutSeconds });

  return {
    database,
    redis,
    users,
    userService,
    registration,
    sessions,
    login,
    passwordChange,
    passwordRecovery,
    secureAccount,
    accountDeletion,
    reauthentication,
    twoFactor,
    secondStep,
    emailVerification,
    emailChange,
    hasher,
    throttle,
    requestThrottle,
    clock,
    keys,
    mailQueue,
    mailComposer,
    transactor,
    audit,
    auditMaintenance,
    auditReader,
    userDirectory,
    adminOverview,
    passkeys,
    oidc,
    setAuditSink(next: AuditSink, warn?: (error: unknown) => void) {
      auditSink = next;
      if (warn) auditWarn = warn;
    },
    isDatabaseUp: () => database.ping(),
    async close() {
      await hasher.close();
      await throttle.close();
      if (requestThrottle !== throttle) await requestThrottle.close();
      await redis?.quit().catch(() => redis?.disconnect());
      await database.close();
    },
  };
}

/** What `gatehouse doctor` asks of a deployment's stores; each answer is a fact, never a secret. */
export interface DeploymentProbes {
  /** Absent: the database answered; else why not (driver's words). */
  databaseProblem(): Promise<string | undefined>;
  pendingMigrations(): Promise<string[]>;
  countActiveAdmins(): Promise<number>;
  unsentMail(): Promise<QueuedMailSummary[]>;
  /** Absent: Redis answered PING (or REDIS_URL is unset); else why not. */
  redisProblem(): Promise<string | undefined>;
  /** Absent: the SMTP server greeted and accepted the login (or SMTP_URL is unset); else why not. */
  smtpProblem(): Promise<string | undefined>;
  /**
   * The OpenID Connect provider's keys and clients; with `secretKey`, how many of the current
   * signing keys and client secrets it cannot open (sealed under another SECRET_KEY).
   */
  oidcState(secretKey: string | undefined): Promise<OidcDeploymentState>;
  close(): Promise<void>;
}

export interface OidcDeploymentState {
  currentKeys: number;
  newestKeyAt: Date | null;
  unreadableKeys: number;
  clients: number;
  rs256Clients: number;
  unreadableSecrets: number;
}

/**
 * The stores `doctor` inspects, opened without the rest of the app (no hashing pool, no
 * migration, no mail sender), so it runs against a broken deployment too. The caller checks
 * first that a SQLite file exists: opening one would create it.
 */
export async function openDeploymentProbes(config: Config): Promise<DeploymentProbes> {
  const database = await openDatabase(config.databaseUrl, { poolSize: 1 });
  const problemOf = async (work: () => Promise<unknown>) => {
    try {
      await work();
      return undefined;
    } catch (error) {
      return (error as Error).message || String(error);
    }
  };
  return {
    databaseProblem: () => problemOf(async () => {
      if (!(await database.ping())) throw new Error('no answer');
    }),
    pendingMigrations: () => pendingMigrations(database.db),
    countActiveAdmins: () => createSqlUserStore(database.db, () => Date.now()).countActiveAdmins(),
    // Listing reads no message body, so the queue's key is not needed (a throwaway one is given).
    unsentMail: () => createSqlMailQueue(database.db, Buffer.alloc(32)).listUnsent(),
    redisProblem: async () => {
      if (!config.redisUrl) return undefined;
      // One attempt, no reconnecting: an unreachable Redis must not keep doctor alive.
      const redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
      redis.on('error', () => {});
      try {
        return await problemOf(async () => {
          await redis.connect();
          await redis.ping();
        });
      } finally {
        redis.disconnect();
      }
    },
    smtpProblem: async () => (config.mail.smtpUrl ? problemOf(() => verifySmtp(config.mail.smtpUrl!)) : undefined),
    oidcState: async (secretKey) => {
      const keys = (await createSqlOidcKeyStore(database.db).listKeys()).filter((key) => key.retiredAt === null);
      const clientStore = createSqlOidcClientStore(database.db);
      const clients = await clientStore.listClients();
      const keySeal = secretKey ? deriveKey(secretKey, 'oidc-keys:v1') : undefined;
      const clientSeal = secretKey ? deriveKey(secretKey, 'oidc-clients:v1') : undefined;
      let unreadableSecrets = 0;
      if (clientSeal) {
        for (const client of clients) {
          const sealed = (await clientStore.findClient(client.clientId))?.secretSealed;
          if (sealed && openText(clientSeal, sealed) === undefined) unreadableSecrets += 1;
        }
      }
      return {
        currentKeys: keys.length,
        newestKeyAt: keys.reduce<Date | null>((newest, key) => (newest === null || key.createdAt > newest ? key.createdAt : newest), null),
        unreadableKeys: keySeal ? keys.filter((key) => openText(keySeal, key.privateJwkSealed) === undefined).length : 0,
        clients: clients.length,
        rs256Clients: clients.filter((client) => client.idTokenSigningAlg === 'RS256').length,
        unreadableSecrets,
      };
    },
    close: () => database.close(),
  };
}
