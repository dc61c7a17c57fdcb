/**
 * Transactor on Kysely: `run(work)` opens one database transaction and hands `work` the
 * stores bound to it; Kysely commits when `work` resolves and rolls back when it throws.
 * On SQLite (one connection) concurrent work queues behind the transaction; PostgreSQL and
 * MySQL take a pooled connection for its duration. Audit events written through `tx.audit`
 * reach the structured log only once the transaction has committed (a rolled-back event
 * never happened).
 */
import type { Kysely } from 'kysely';
import type { TransactionStores, Transactor } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { type AuditSink, createSqlAuditLogInTransaction, type RecordedAuditEvent } from './audit-store.ts';
import { createSqlMailQueue } from './mail-queue-store.ts';
import { createSqlOidcClientStore } from './oidc-client-store.ts';
import { createSqlOidcKeyStore } from './oidc-key-store.ts';
import { createSqlPasskeyStore } from './passkey-store.ts';
import { createSqlSecondFactorStore } from './second-factor-store.ts';
import { createSqlTokenStore } from './token-store.ts';
import { createSqlCredentialStore, createSqlUserStore } from './user-store.ts';

export function createSqlTransactor(db: Kysely<Database>, now: () => number, keys: { mail: Buffer; audit: Buffer }, auditSink: () => AuditSink = () => () => {}): Transactor {
  return {
    async run(work) {
      const recorded: RecordedAuditEvent[] = [];
      const result = await db.transaction().execute((trx) => {
        const stores: TransactionStores = {
          users: createSqlUserStore(trx, now),
          credentials: createSqlCredentialStore(trx, now),
          tokens: createSqlTokenStore(trx),
          mail: createSqlMailQueue(trx, keys.mail),
          secondFactors: createSqlSecondFactorStore(trx),
          passkeys: createSqlPasskeyStore(trx),
          oidcClients: createSqlOidcClientStore(trx),
          oidcKeys: createSqlOidcKeyStore(trx),
          audit: createSqlAuditLogInTransaction(trx, keys.audit, now, recorded),
        };
        return work(stores);
      });
      const sink = auditSink();
      for (const event of recorded) sink(event);
      return result;
    },
  };
}
