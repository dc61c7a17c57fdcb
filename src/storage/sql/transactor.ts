/**
 * Transactor on Kysely: `run(work)` opens one database transaction and hands `work` the
 * stores bound to it; Kysely commits when `work` resolves and rolls back when it throws.
 * On SQLite (one connection) concurrent work queues behind the transaction; PostgreSQL and
 * MySQL take a pooled connection for its duration.
 */
import type { Kysely } from 'kysely';
import type { TransactionStores, Transactor } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { createSqlMailQueue } from './mail-queue-store.ts';
import { createSqlTokenStore } from './token-store.ts';
import { createSqlCredentialStore, createSqlUserStore } from './user-store.ts';

export function createSqlTransactor(db: Kysely<Database>, now: () => number, keys: { mail: Buffer }): Transactor {
  return {
    run(work) {
      return db.transaction().execute((trx) => {
        const stores: TransactionStores = {
          users: createSqlUserStore(trx, now),
          credentials: createSqlCredentialStore(trx, now),
          tokens: createSqlTokenStore(trx),
          mail: createSqlMailQueue(trx, keys.mail),
        };
        return work(stores);
      });
    },
  };
}
