/**
 * The OpenID Connect provider (issue #13).
 *
 * `oidc_clients`: registered relying parties; redirect URIs as JSON arrays (exact match,
 * ASVS v5.0.0-10.4.1); the client secret sealed (AES-256-GCM under a key derived from
 * SECRET_KEY: oidc-provider must compare it, so it cannot be a one-way hash), null for public
 * clients.
 * `oidc_payloads`: oidc-provider's models (sessions, grants, codes, tokens, interactions, …)
 * by model and id, as JSON; the columns it looks rows up by (grant, uid, user code) and the
 * ones Gatehouse revokes by (account = the user's OIDC subject, client) are indexed, and so is
 * the expiry (pruning). `consumed_at` is when a code or token was used (kept out of the JSON
 * so marking it is one guarded update).
 * `oidc_keys`: signing keys, the private JWK sealed; `generation` numbers each set of keys a
 * rotation makes, unique per algorithm, so two instances creating the first keys (or rotating)
 * at once cannot both succeed.
 * `users.oidc_subject`: each account's stable, random OIDC subject (128 bits, base64url),
 * unique, filled here for the accounts that exist.
 * Ids compare as bytes on MySQL (its default collation folds case; these are base64url).
 * Frozen in time: never edit a released migration, add a new one.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, MysqlAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const utf8 = mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``;
  // The lengths in use, each a literal: no SQL is built from a value (test/attacks/sql-injection).
  const VARCHAR = { 32: sql`varchar(32)`, 40: sql`varchar(40)`, 64: sql`varchar(64)`, 255: sql`varchar(255)` } as const;
  const id = (length: keyof typeof VARCHAR) => (mysql ? sql`${VARCHAR[length]} character set ascii collate ascii_bin` : VARCHAR[length]);
  const text = mysql ? sql`mediumtext` : sql`text`;

  await db.schema
    .createTable('oidc_clients')
    .addColumn('client_id', id(64), (col) => col.primaryKey())
    .addColumn('name', 'varchar(100)', (col) => col.notNull())
    .addColumn('redirect_uris', text, (col) => col.notNull())
    .addColumn('post_logout_redirect_uris', text, (col) => col.notNull())
    .addColumn('first_party', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('public', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('id_token_alg', 'varchar(16)', (col) => col.notNull())
    .addColumn('token_endpoint_auth_method', 'varchar(32)', (col) => col.notNull().defaultTo('client_secret_basic'))
    .addColumn('secret_sealed', 'varchar(255)')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .modifyEnd(utf8)
    .execute();

  await db.schema
    .createTable('oidc_payloads')
    .addColumn('model', id(40), (col) => col.notNull())
    .addColumn('id', id(255), (col) => col.notNull())
    .addColumn('payload', text, (col) => col.notNull())
    .addColumn('grant_id', id(255))
    .addColumn('user_code', id(255))
    .addColumn('uid', id(255))
    .addColumn('account_id', id(255))
    .addColumn('client_id', id(64))
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pkey', ['model', 'id'])
    .modifyEnd(utf8)
    .execute();
  await db.schema.createIndex('oidc_payloads_grant_index').on('oidc_payloads').column('grant_id').execute();
  await db.schema.createIndex('oidc_payloads_uid_index').on('oidc_payloads').columns(['model', 'uid']).execute();
  await db.schema.createIndex('oidc_payloads_user_code_index').on('oidc_payloads').columns(['model', 'user_code']).execute();
  await db.schema.createIndex('oidc_payloads_account_index').on('oidc_payloads').columns(['account_id', 'model']).execute();
  await db.schema.createIndex('oidc_payloads_client_index').on('oidc_payloads').column('client_id').execute();
  await db.schema.createIndex('oidc_payloads_expires_index').on('oidc_payloads').column('expires_at').execute();

  await db.schema
    .createTable('oidc_keys')
    .addColumn('kid', id(64), (col) => col.primaryKey())
    .addColumn('generation', 'integer', (col) => col.notNull())
    .addColumn('alg', 'varchar(16)', (col) => col.notNull())
    .addColumn('private_jwk_sealed', text, (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('retired_at', 'bigint')
    .modifyEnd(utf8)
    .execute();
  await db.schema.createIndex('oidc_keys_generation_unique').on('oidc_keys').columns(['generation', 'alg']).unique().execute();

  await db.schema.alterTable('users').addColumn('oidc_subject', id(32)).execute();
  const existing = await db.selectFrom('users').select('id').execute();
  for (const row of existing) {
    await db.updateTable('users').set({ oidc_subject: randomBytes(16).toString('base64url') }).where('id', '=', row.id).execute();
  }
  await db.schema.createIndex('users_oidc_subject_unique').on('users').column('oidc_subject').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_oidc_subject_unique').on('users').execute();
  await db.schema.alterTable('users').dropColumn('oidc_subject').execute();
  await db.schema.dropTable('oidc_keys').execute();
  await db.schema.dropTable('oidc_payloads').execute();
  await db.schema.dropTable('oidc_clients').execute();
}
