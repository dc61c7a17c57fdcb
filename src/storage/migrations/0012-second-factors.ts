/**
 * Second factors and passkeys (issue #12).
 *
 * `totp_credentials`: one per account; the secret sealed (AES-256-GCM under a key derived from
 * SECRET_KEY, `key_version` naming which, for rotation), never stored in clear; `confirmed_at`
 * null while an enrolment waits for its first correct code; `last_step` is the newest time
 * step accepted, so a code works once (ASVS v5.0.0-6.5.1), moved by a guarded update.
 * `recovery_codes`: only the SHA-256 of each code; `used_at` once spent.
 * `passkeys`: WebAuthn credentials; the credential id is unique across every account.
 * `webauthn_challenges`: each challenge's SHA-256, single-use and expiring; `user_id` null for
 * a usernameless sign-in.
 * `sessions.auth_methods`: how the session's sign-in was proven (`pwd`, `pwd otp`, `hwk`, …),
 * for rules that ask for a second factor (forward-auth `?mfa=1`, OIDC `amr`).
 * Frozen in time: never edit a released migration, add a new one.
 */
import { type Kysely, MysqlAdapter, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = db.getExecutor().adapter instanceof MysqlAdapter;
  const utf8 = mysql ? sql`character set utf8mb4 collate utf8mb4_unicode_ci` : sql``;
  await db.schema
    .createTable('totp_credentials')
    .addColumn('user_id', 'integer', (col) => col.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret_sealed', 'varchar(255)', (col) => col.notNull())
    .addColumn('key_version', 'integer', (col) => col.notNull())
    .addColumn('last_step', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('confirmed_at', 'bigint')
    .modifyEnd(utf8)
    .execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'char(64)', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('recovery_codes_pkey', ['user_id', 'code_hash'])
    .modifyEnd(utf8)
    .execute();
  await db.schema
    .createTable('passkeys')
    .addColumn('credential_id', 'varchar(512)', (col) => col.primaryKey())
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('public_key', 'text', (col) => col.notNull())
    .addColumn('sign_count', 'bigint', (col) => col.notNull())
    .addColumn('transports', 'varchar(200)')
    .addColumn('name', 'varchar(100)', (col) => col.notNull())
    .addColumn('backed_up', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('last_used_at', 'bigint')
    .modifyEnd(utf8)
    .execute();
  await db.schema.createIndex('passkeys_user_index').on('passkeys').column('user_id').execute();
  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('hash', 'char(64)', (col) => col.primaryKey())
    .addColumn('purpose', 'varchar(32)', (col) => col.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('expires_at', 'bigint', (col) => col.notNull())
    .modifyEnd(utf8)
    .execute();
  await db.schema.alterTable('sessions').addColumn('auth_methods', 'varchar(64)').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('auth_methods').execute();
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('passkeys').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('totp_credentials').execute();
}
