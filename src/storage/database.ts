/**
 * Table types for Kysely. Column types are what the drivers hand back across all three
 * dialects: booleans are 0/1 integers and instants are epoch milliseconds in BIGINT
 * (PostgreSQL returns BIGINT as a string; `sql/rows.ts` converts).
 */
import type { CachedSqliteConnection } from './prepared-statements.ts';
import type { Generated, Kysely } from 'kysely';
import type { Pool as MysqlPool } from 'mysql2';
import type { Pool as PgPool } from 'pg';

export interface UserTable {
  id: Generated<number>;
  username: string;
  username_normalized: string;
  email: string;
  email_normalized: string;
  password_hash: string | null;
  role: string;
  disabled: number;
  must_change_password: number;
  password_policy: string | null;
  credential_version: Generated<number>;
  email_verified_at: number | string | null;
  locale: string | null;
  created_at: number | string;
  updated_at: number | string;
  /** The account's OIDC subject (migration 0014): random, unique; set at creation. */
  oidc_subject: string | null;
}

export interface SessionTable {
  id_hash: string;
  user_id: number;
  created_at: number | string;
  last_seen_at: number | string;
  expires_at: number | string;
  ip: string;
  user_agent: string;
  credential_version: number;
  /** The session's public id (pages and API name it so); null only before migration 0007 filled it. */
  public_id: string | null;
  /** Last password confirmation at /sudo (migration 0010); null: only the sign-in. */
  reauthenticated_at: number | string | null;
  /** How the sign-in was proven, space-separated (`pwd`, `pwd otp`, `hwk`; migration 0012). */
  auth_methods: string | null;
  /** SHA-256 of the forward-auth proxy cookie's token (migration 0013); null: none minted. */
  proxy_token_hash: string | null;
}

/** Migration 0012: an account's TOTP secret, sealed. */
export interface TotpCredentialTable {
  user_id: number;
  secret_sealed: string;
  key_version: number;
  last_step: number | string | null;
  created_at: number | string;
  confirmed_at: number | string | null;
}

export interface RecoveryCodeTable {
  user_id: number;
  code_hash: string;
  created_at: number | string;
  used_at: number | string | null;
}

export interface PasskeyTable {
  credential_id: string;
  user_id: number;
  public_key: string;
  sign_count: number | string;
  transports: string | null;
  name: string;
  backed_up: number;
  created_at: number | string;
  last_used_at: number | string | null;
}

export interface WebauthnChallengeTable {
  hash: string;
  purpose: string;
  user_id: number | null;
  expires_at: number | string;
}

/** The audit log (migration 0010): append-only, hash-chained by `seq` (domain/audit/chain.ts). */
export interface AuditEventTable {
  id: Generated<number>;
  seq: number | string;
  occurred_at: number | string;
  type: string;
  actor_user_id: number | string | null;
  target_user_id: number | string | null;
  ip: string | null;
  user_agent: string | null;
  channel: string;
  outcome: string;
  /** JSON object, flat. */
  details: string;
  mac: string;
}

/** The single row (id 1) holding the chain's head and anchor; its lock serialises appends. */
export interface AuditChainTable {
  id: number;
  head_seq: number | string;
  head_mac: string;
  anchor_seq: number | string;
  anchor_mac: string;
  anchor_tag: string | null;
}

/** Browsers known to an account (migration 0008): SHA-256 of the `gatehouse_device` cookie. */
export interface KnownDeviceTable {
  user_id: number;
  device_hash: string;
  first_seen_at: number | string;
  last_seen_at: number | string;
}

export interface MailQueueTable {
  id: Generated<number>;
  recipient: string;
  kind: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number | string;
  claimed_until: number | string | null;
  last_error: string | null;
  /** The sealed message (crypto.ts `sealText`); null once sent. */
  body: string | null;
  created_at: number | string;
  sent_at: number | string | null;
}

export interface TokenTable {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  hash: string;
  purpose: string;
  user_id: number;
  data: string | null;
  created_at: number | string;
  expires_at: number | string;
}

/** Migration 0014: registered OpenID Connect clients; URIs as JSON arrays, the secret sealed. */
export interface OidcClientTable {
  client_id: string;
  name: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  first_party: number;
  public: number;
  id_token_alg: string;
  token_endpoint_auth_method: string;
  secret_sealed: string | null;
  created_at: number | string;
}

/** oidc-provider's models by (model, id), JSON, with the columns they are found and revoked by. */
export interface OidcPayloadTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  expires_at: number | string;
  consumed_at: number | string | null;
}

/** Signing keys, the private JWK sealed; (generation, alg) unique. */
export interface OidcKeyTable {
  kid: string;
  generation: number;
  alg: string;
  private_jwk_sealed: string;
  created_at: number | string;
  retired_at: number | string | null;
}

export interface Database {
  oidc_clients: OidcClientTable;
  oidc_payloads: OidcPayloadTable;
  oidc_keys: OidcKeyTable;
  tokens: TokenTable;
  users: UserTable;
  sessions: SessionTable;
  mail_queue: MailQueueTable;
  known_devices: KnownDeviceTable;
  audit_events: AuditEventTable;
  audit_chain: AuditChainTable;
  totp_credentials: TotpCredentialTable;
  recovery_codes: RecoveryCodeTable;
  passkeys: PasskeyTable;
  webauthn_challenges: WebauthnChallengeTable;
}

export type Dialect = 'sqlite' | 'postgres' | 'mysql';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * The driver's own client under `db` (better-sqlite3 connection, pg or mysql2 pool), for
   * libraries that speak to the driver directly: the rate-limit store (storage/throttle.ts).
   */
  readonly driverClient?: CachedSqliteConnection | PgPool | MysqlPool;
  /** A cheap round trip: true when the database answers. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
