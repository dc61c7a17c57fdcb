/**
 * OidcClientStore on Kysely (table `oidc_clients`, migration 0014). The client id is the
 * primary key: a second registration of one id is a conflict decided by the index (never a
 * check-then-insert). Deleting a client deletes, in the same transaction, every grant, code
 * and token oidc-provider stored for it in SQL (`oidc_payloads.client_id`); when payloads
 * live in Redis the client service revokes them there too (domain/oidc/clients.ts).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import type { OidcClient, OidcClientStore, OidcSigningAlg, OidcTokenEndpointAuthMethod } from '../../domain/ports.ts';
import type { Database, OidcClientTable } from '../database.ts';
import { isAsciiId, toDate, violatedUniqueIndex } from './rows.ts';

const ALGS: readonly OidcSigningAlg[] = ['ES256', 'EdDSA', 'RS256'];

function authMethod(row: Selectable<OidcClientTable>): OidcTokenEndpointAuthMethod {
  if (Number(row.public) === 1) return 'none';
  return row.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
}

function uris(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function toClient(row: Selectable<OidcClientTable>): OidcClient {
  return {
    clientId: row.client_id,
    name: row.name,
    redirectUris: uris(row.redirect_uris),
    postLogoutRedirectUris: uris(row.post_logout_redirect_uris),
    firstParty: Number(row.first_party) === 1,
    public: Number(row.public) === 1,
    idTokenSigningAlg: (ALGS as readonly string[]).includes(row.id_token_alg) ? (row.id_token_alg as OidcSigningAlg) : 'ES256',
    tokenEndpointAuthMethod: authMethod(row),
    createdAt: toDate(row.created_at),
  };
}

export function createSqlOidcClientStore(db: Kysely<Database>): OidcClientStore {
  return {
    async createClient(client, secretSealed) {
      // Under a savepoint inside a unit of work: on PostgreSQL a unique violation would abort it.
      const savepoint = db.isTransaction;
      if (savepoint) await sql`SAVEPOINT gatehouse_create_oidc_client`.execute(db);
      try {
        await db
          .insertInto('oidc_clients')
          .values({
            client_id: client.clientId,
            name: client.name,
            redirect_uris: JSON.stringify(client.redirectUris),
            post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
            first_party: client.firstParty ? 1 : 0,
            public: client.public ? 1 : 0,
            id_token_alg: client.idTokenSigningAlg,
            token_endpoint_auth_method: client.public ? 'none' : client.tokenEndpointAuthMethod,
            secret_sealed: secretSealed,
            created_at: client.createdAt.getTime(),
          })
          .execute();
        if (savepoint) await sql`RELEASE SAVEPOINT gatehouse_create_oidc_client`.execute(db);
        return 'created';
      } catch (error) {
        if (violatedUniqueIndex(error) === undefined) throw error;
        if (savepoint) await sql`ROLLBACK TO SAVEPOINT gatehouse_create_oidc_client`.execute(db);
        return 'conflict';
      }
    },
    async listClients() {
      const rows = await db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
      return rows.map(toClient);
    },
    async findClient(clientId) {
      if (!isAsciiId(clientId, 64)) return undefined;
      const row = await db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row && { client: toClient(row), secretSealed: row.secret_sealed };
    },
    async deleteClient(clientId) {
      if (!isAsciiId(clientId, 64)) return false;
      const work = async (trx: Kysely<Database>) => {
        const result = await trx.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) return false;
        // Grants, codes and tokens issued to it; their refresh and access tokens carry the
        // grant id too, so grants first found by client take theirs along.
        const grants = await trx.selectFrom('oidc_payloads').select('id').where('model', '=', 'Grant').where('client_id', '=', clientId).execute();
        const grantIds = grants.map((row) => row.id);
        await trx.deleteFrom('oidc_payloads').where('client_id', '=', clientId).execute();
        for (let i = 0; i < grantIds.length; i += 500) {
          await trx.deleteFrom('oidc_payloads').where('grant_id', 'in', grantIds.slice(i, i + 500)).execute();
        }
        return true;
      };
      return db.isTransaction ? work(db) : db.transaction().execute(work);
    },
  };
}
