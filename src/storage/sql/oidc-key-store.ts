/**
 * OidcKeyStore on Kysely (table `oidc_keys`, migration 0014). Each rotation adds a new
 * generation of keys (one per algorithm); `(generation, alg)` is unique, so of two instances
 * creating the first keys, or rotating, at once exactly one succeeds: the other's insert is
 * refused by the index (`exists` for the first keys; a rotation rolls back and throws).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { OidcKeyStore, OidcSigningAlg, OidcSigningKey } from '../../domain/ports.ts';
import type { Database, OidcKeyTable } from '../database.ts';
import { toDate, violatedUniqueIndex } from './rows.ts';

function toKey(row: Selectable<OidcKeyTable>): OidcSigningKey {
  return {
    kid: row.kid,
    alg: row.alg as OidcSigningAlg,
    privateJwkSealed: row.private_jwk_sealed,
    createdAt: toDate(row.created_at),
    retiredAt: row.retired_at === null ? null : toDate(row.retired_at),
  };
}

const rows = (keys: OidcSigningKey[], generation: number) =>
  keys.map((key) => ({
    kid: key.kid,
    generation,
    alg: key.alg,
    private_jwk_sealed: key.privateJwkSealed,
    created_at: key.createdAt.getTime(),
    retired_at: key.retiredAt === null ? null : key.retiredAt.getTime(),
  }));

export function createSqlOidcKeyStore(db: Kysely<Database>): OidcKeyStore {
  const inTransaction = <T>(work: (trx: Kysely<Database>) => Promise<T>) => (db.isTransaction ? work(db) : db.transaction().execute(work));
  return {
    async listKeys() {
      const found = await db.selectFrom('oidc_keys').selectAll().orderBy('generation', 'desc').orderBy('alg').execute();
      return found.map(toKey);
    },
    async createInitial(keys) {
      const savepoint = db.isTransaction;
      if (savepoint) await sql`SAVEPOINT gatehouse_oidc_keys`.execute(db);
      try {
        await db.insertInto('oidc_keys').values(rows(keys, 1)).execute();
        if (savepoint) await sql`RELEASE SAVEPOINT gatehouse_oidc_keys`.execute(db);
        return 'created';
      } catch (error) {
        if (violatedUniqueIndex(error) === undefined) throw error;
        if (savepoint) await sql`ROLLBACK TO SAVEPOINT gatehouse_oidc_keys`.execute(db);
        return 'exists';
      }
    },
    async rotate(next, at, deleteRetiredBefore) {
      await inTransaction(async (trx) => {
        const top = await trx.selectFrom('oidc_keys').select((eb) => eb.fn.max('generation').as('g')).executeTakeFirst();
        const generation = Number(top?.g ?? 0) + 1;
        await trx.updateTable('oidc_keys').set({ retired_at: at.getTime() }).where('retired_at', 'is', null).execute();
        await trx.deleteFrom('oidc_keys').where('retired_at', '<', deleteRetiredBefore.getTime()).execute();
        // A racing rotation that read the same generation is refused here by the unique index.
        await trx.insertInto('oidc_keys').values(rows(next, generation)).execute();
      });
    },
  };
}
