/**
 * Forward-auth (issue #13): `sessions.proxy_token_hash`, the SHA-256 of the session's proxy
 * cookie token (`__Secure-gatehouse_proxy`, for the verify endpoints on other subdomains), or
 * null when none was minted. A column of the session row itself, so the proxy cookie dies with
 * its session (sign-out, revocation, a disabled account, a password change) and is found by
 * one read on its unique index. Frozen in time: never edit a released migration, add a new one.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('proxy_token_hash', 'char(64)').execute();
  // Unique: NULLs do not collide on SQLite, PostgreSQL or MySQL, a minted token can never be shared.
  await db.schema.createIndex('sessions_proxy_token_hash_index').on('sessions').column('proxy_token_hash').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_proxy_token_hash_index').on('sessions').execute();
  await db.schema.alterTable('sessions').dropColumn('proxy_token_hash').execute();
}
