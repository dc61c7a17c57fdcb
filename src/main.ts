/**
 * Start-up: resolve the secret, open the database, migrate (unless MIGRATE=0), listen, and
 * shut down gracefully on SIGTERM/SIGINT: stop accepting, finish in-flight requests, close
 * the database.
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { type Config, withBoundPort } from './config.ts';
import type { Clock } from './domain/clock.ts';
import type { MessageKey, MessageParams } from './messages/catalog.ts';
import { type AppDependencies, createDependencies } from './dependencies.ts';
import { buildServer } from './http/server.ts';
import { resolveSecretKey } from './secret-key.ts';
import { createMailSender, type MailSender } from './storage/mail/mail-sender.ts';
import { createOutboxTransport, createSmtpTransport } from './storage/mail/transports.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { dialectOf, sqliteFileOf } from './storage/open-database.ts';
import { checkSqliteFileWritable } from './storage/writable-directory.ts';

const EXPIRED_SESSION_SWEEP_MS = 10 * 60 * 1000;
/** The audit retention job runs hourly (and once at start): a prune is one indexed range delete. */
const AUDIT_PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RunningServer {
  app: FastifyInstance;
  deps: AppDependencies;
  url: string;
  /** The outgoing mail sender of this process (tests run rounds with `runOnce`). */
  mail: MailSender;
  /** The configuration as running: with the bound port when PORT was 0. */
  config: Readonly<Config>;
  stop(): Promise<void>;
}

/** A start-up refusal: `message` in English for logs, `text` for a reader's language (the CLI). */
export class StartupError extends Error {
  readonly text: { key: MessageKey; params?: MessageParams } | undefined;

  constructor(message: string, text?: { key: MessageKey; params?: MessageParams }) {
    super(message);
    this.text = text;
  }
}

export async function startServer(config: Config, options: { logStream?: NodeJS.WritableStream; clock?: Clock } = {}): Promise<RunningServer> {
  const secret = resolveSecretKey({ secretKey: config.secretKey, production: config.env === 'production', dataDir: config.dataDir });
  if (!secret.ok) throw new StartupError(secret.reason, { key: secret.key, params: secret.params });
  // PORT=0 binds any free port, so the public origin (CSRF's allowed Origin, the API's
  // server URL, links in mail) is known only once listening: it is read through `listening`,
  // set right after `listen` resolves, before any request can be read.
  let listening = config;
  const sqliteFile = dialectOf(config.databaseUrl) === 'sqlite' ? sqliteFileOf(config.databaseUrl) : undefined;
  if (sqliteFile !== undefined && sqliteFile !== ':memory:') {
    const writable = checkSqliteFileWritable(sqliteFile);
    if (!writable.ok) throw new StartupError(`cannot write to ${writable.path} (${writable.reason})`, { key: 'cli.storage.unwritable', params: { path: writable.path, reason: writable.reason } });
  }
  const deps = await createDependencies(config, secret.key, { clock: options.clock, publicUrl: () => listening.baseUrl });
  try {
    if (config.migrateOnStart) {
      const migrated = await migrateToLatest(deps.database.db);
      if (!migrated.ok) throw new StartupError(`migration failed: ${migrated.error}`, { key: 'cli.migration_failed', params: { reason: migrated.error } });
    }
    const app = await buildServer(deps, config, { logStream: options.logStream, publicUrl: () => listening });
    const sweep = setInterval(() => {
      deps.sessions.deleteExpiredSessions().catch((error) => app.log.warn({ err: error }, 'expired-session sweep failed'));
    }, EXPIRED_SESSION_SWEEP_MS);
    sweep.unref();
    // Every committed security event is also one structured log line, with its chain position
    // and MAC: a copy outside the database that a log shipper keeps (chain.ts).
    const auditLog = app.log.child({ component: 'audit' });
    deps.setAuditSink(
      (event) => auditLog.info({ audit: event }, `audit ${event.type} ${event.outcome}`),
      (error) => auditLog.error({ err: error }, 'audit event lost: its write failed'),
    );
    const pruneAudit = () =>
      Promise.all([
        deps.auditMaintenance
          .prune(new Date(deps.clock.now() - config.auditRetentionDays * DAY_MS))
          .catch((error) => app.log.warn({ err: error }, 'audit retention prune failed')),
        // Expired OpenID Connect codes, tokens and sessions (SQL; Redis expires its own keys).
        deps.oidc.payloads.pruneExpired(new Date(deps.clock.now())).catch((error) => app.log.warn({ err: error }, 'expired OpenID Connect payload prune failed')),
      ]);
    const retention = setInterval(pruneAudit, AUDIT_PRUNE_INTERVAL_MS);
    retention.unref();
    void pruneAudit();
    const mail = createMailSender({
      queue: deps.mailQueue,
      transport: config.mail.smtpUrl
        ? createSmtpTransport(config.mail.smtpUrl, config.mail.from)
        : createOutboxTransport(config.dataDir, config.mail.from, (line, fields) => app.log.info(fields, line)),
      clock: deps.clock,
      warn: (line, fields) => app.log.warn(fields, line),
    });
    mail.start();
    app.addHook('onClose', async () => {
      clearInterval(sweep);
      clearInterval(retention);
      // The round in flight finishes first: a graceful stop loses no mail.
      await mail.stop();
      await deps.close();
    });
    const address = await app.listen({ port: config.port, host: config.host });
    listening = withBoundPort(config, (app.server.address() as AddressInfo).port);
    if (secret.source === 'generated') app.log.info(`generated a development secret in ${config.dataDir}/secret.key`);
    let stopping: Promise<void> | undefined;
    return {
      app,
      deps,
      mail,
      url: address,
      config: listening,
      stop: () => (stopping ??= app.close()),
    };
  } catch (error) {
    await deps.close();
    throw error;
  }
}
