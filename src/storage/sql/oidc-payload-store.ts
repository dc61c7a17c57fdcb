/**
 * OidcPayloadStore on Kysely (table `oidc_payloads`, migration 0014): oidc-provider's models
 * by (model, id), the JSON as given, and beside it the fields rows are found or revoked by
 * (grant, uid, user code, account, client) and the expiry.
 *
 * `upsert` is one statement on every dialect (`ON CONFLICT … DO UPDATE` on SQLite and
 * PostgreSQL, `ON DUPLICATE KEY UPDATE` on MySQL/MariaDB): two instances saving one session at
 * once never hit a duplicate key. `consume` is one guarded update of `consumed_at` (the
 * payload's `consumed` is read from it), so marking a code used never rewrites the JSON.
 * Expired rows are never returned; `find` deletes the one it met, and `pruneExpired` (main.ts,
 * hourly) the rest.
 */
import { type Kysely, MysqlAdapter, type Selectable } from 'kysely';
import type { OidcPayload, OidcPayloadStore } from '../../domain/ports.ts';
import type { Database, OidcPayloadTable } from '../database.ts';
import { isAsciiId, toDate } from './rows.ts';

/** When oidc-provider gives no lifetime (it always does for its models): two weeks. */
const DEFAULT_LIFETIME_SECONDS = 14 * 86_400;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

function toPayload(row: Pick<Selectable<OidcPayloadTable>, 'payload' | 'consumed_at'>): OidcPayload {
  const payload = JSON.parse(row.payload) as OidcPayload;
  if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
  return payload;
}

export function createSqlOidcPayloadStore(db: Kysely<Database>, now: () => number): OidcPayloadStore {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const live = (model: string) => db.selectFrom('oidc_payloads').select(['payload', 'consumed_at', 'expires_at', 'id']).where('model', '=', model).where('expires_at', '>', now());

  async function findBy(model: string, column: 'id' | 'uid' | 'user_code', value: string): Promise<OidcPayload | undefined> {
    if (!isAsciiId(value) || !isAsciiId(model, 40)) return undefined;
    const row = await db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at', 'expires_at', 'id'])
      .where('model', '=', model)
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row) return undefined;
    if (Number(row.expires_at) <= now()) {
      // Lazily: the expired row goes now; pruneExpired takes the ones nobody asks for.
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', row.id).where('expires_at', '<=', now()).execute();
      return undefined;
    }
    return toPayload(row);
  }

  return {
    async upsert(model, id, payload, expiresInSeconds) {
      const lifetime = Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_LIFETIME_SECONDS;
      const row = {
        model,
        id,
        payload: JSON.stringify(payload),
        grant_id: text(payload.grantId),
        user_code: text(payload.userCode),
        uid: text(payload.uid),
        account_id: text(payload.accountId),
        client_id: text(payload.clientId),
        expires_at: now() + Math.round(lifetime * 1000),
        consumed_at: null,
      };
      const { model: _model, id: _id, ...changes } = row;
      const insert = db.insertInto('oidc_payloads').values(row);
      await (mysql ? insert.onDuplicateKeyUpdate(changes) : insert.onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(changes))).execute();
    },
    find: (model, id) => findBy(model, 'id', id),
    findByUid: (model, uid) => findBy(model, 'uid', uid),
    findByUserCode: (model, userCode) => findBy(model, 'user_code', userCode),
    async consume(model, id) {
      if (!isAsciiId(id)) return;
      await db.updateTable('oidc_payloads').set({ consumed_at: now() }).where('model', '=', model).where('id', '=', id).where('consumed_at', 'is', null).execute();
    },
    async destroy(model, id) {
      if (!isAsciiId(id)) return;
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();
    },
    async revokeByGrantId(grantId) {
      if (!isAsciiId(grantId)) return;
      // The Grant itself is keyed by its id; its codes and tokens carry it as grant_id.
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
        await trx.deleteFrom('oidc_payloads').where('model', '=', 'Grant').where('id', '=', grantId).execute();
      });
    },
    async revokeByAccount(accountId) {
      if (!isAsciiId(accountId)) return 0;
      return db.transaction().execute(async (trx) => {
        const grants = await trx.selectFrom('oidc_payloads').select('id').where('account_id', '=', accountId).where('model', '=', 'Grant').execute();
        let removed = 0;
        const ids = grants.map((row) => row.id);
        for (let i = 0; i < ids.length; i += 500) {
          const result = await trx.deleteFrom('oidc_payloads').where('grant_id', 'in', ids.slice(i, i + 500)).executeTakeFirst();
          removed += Number(result.numDeletedRows);
        }
        const result = await trx.deleteFrom('oidc_payloads').where('account_id', '=', accountId).executeTakeFirst();
        return removed + Number(result.numDeletedRows);
      });
    },
    async revokeByClient(clientId) {
      if (!isAsciiId(clientId, 64)) return 0;
      return db.transaction().execute(async (trx) => {
        const grants = await trx.selectFrom('oidc_payloads').select('id').where('client_id', '=', clientId).where('model', '=', 'Grant').execute();
        let removed = 0;
        const ids = grants.map((row) => row.id);
        for (let i = 0; i < ids.length; i += 500) {
          const result = await trx.deleteFrom('oidc_payloads').where('grant_id', 'in', ids.slice(i, i + 500)).executeTakeFirst();
          removed += Number(result.numDeletedRows);
        }
        const result = await trx.deleteFrom('oidc_payloads').where('client_id', '=', clientId).executeTakeFirst();
        return removed + Number(result.numDeletedRows);
      });
    },
    async listGrants(accountId) {
      if (!isAsciiId(accountId)) return [];
      const rows = await live('Grant').where('account_id', '=', accountId).orderBy('id').execute();
      return rows.map((row) => {
        const payload = JSON.parse(row.payload) as { clientId?: unknown; iat?: unknown; exp?: unknown; openid?: { scope?: unknown } };
        const scope = typeof payload.openid?.scope === 'string' ? payload.openid.scope : '';
        return {
          grantId: row.id,
          clientId: typeof payload.clientId === 'string' ? payload.clientId : '',
          scopes: scope.split(' ').filter(Boolean),
          createdAt: typeof payload.iat === 'number' ? new Date(payload.iat * 1000) : toDate(row.expires_at),
          expiresAt: toDate(row.expires_at),
        };
      });
    },
    async pruneExpired(at) {
      const result = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', at.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
