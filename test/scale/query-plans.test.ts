// Property: every lookup the stores make on a hot path — session by token hash or by proxy
// token hash (with its user), user by normalised username, by normalised email, by id, sessions by user — is
// answered from an index on PostgreSQL, checked on the exact SQL the stores issue, with
// enough rows that the planner would rather scan if no index fitted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { createSqlSessionStore } from '../../src/storage/sql/session-store.ts';
import { createSqlUserStore } from '../../src/storage/sql/user-store.ts';
import { type ProvisionedBackend, provisionBackend, SERVICE_URLS, servicesRequired } from '../helpers/backends.ts';

const ROWS = 20_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

describe('query plans on PostgreSQL', { skip: !SERVICE_URLS.postgres && !servicesRequired ? 'PostgreSQL not available: TEST_POSTGRES_URL is not set' : false }, () => {
  let backend: ProvisionedBackend;
  let pool: pg.Pool;
  let db: Kysely<Database>;
  const captured: CompiledQuery[] = [];

  before(async () => {
    backend = await provisionBackend('postgres');
    pool = new pg.Pool({ connectionString: backend.env.DATABASE_URL, max: 2 });
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    const migrated = await migrateToLatest(db);
    assert.ok(migrated.ok);
    const now = Date.now();
    await sql`insert into users (username, username_normalized, email, email_normalized, password_hash, role, created_at, updated_at)
      select 'user' || i, 'user' || i, 'user' || i || '@example.test', 'user' || i || '@example.test', null, 'user', ${now}, ${now}
      from generate_series(1, ${ROWS}) as i`.execute(db);
    await sql`insert into sessions (id_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, proxy_token_hash)
      select md5(i::text) || md5((i * 7)::text), i, ${now}, ${now}, ${now + 3_600_000}, '127.0.0.1', 'plan-test', md5((i * 3)::text) || md5((i * 11)::text)
      from generate_series(1, ${ROWS}) as i`.execute(db);
    await sql`analyze`.execute(db);
  });

  after(async () => {
    await db?.destroy();
    await backend?.cleanup();
  });

  /** Runs `work` and returns the plans of the statements it issued. */
  async function plansOf(work: () => Promise<unknown>): Promise<PlanNode[][]> {
    captured.length = 0;
    await work();
    const queries = captured.filter((q) => /^\s*(select|delete|update)/i.test(q.sql));
    assert.ok(queries.length > 0, 'the store issued a query');
    const plans: PlanNode[][] = [];
    for (const query of queries) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query(`explain (format json) ${query.sql}`, [...query.parameters]);
        plans.push(flatten((rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan));
        await client.query('rollback');
      } finally {
        client.release();
      }
    }
    return plans;
  }

  function assertIndexed(plans: PlanNode[][], expectedIndexes: string[]) {
    const nodes = plans.flat();
    const scans = nodes.filter((n) => n['Relation Name'] === 'users' || n['Relation Name'] === 'sessions');
    assert.ok(scans.length > 0);
    for (const node of scans) assert.notEqual(node['Node Type'], 'Seq Scan', `sequential scan on ${node['Relation Name']}`);
    const used = new Set(nodes.map((n) => n['Index Name']).filter(Boolean));
    for (const index of expectedIndexes) assert.ok(used.has(index), `${index} used (used: ${[...used].join(', ')})`);
  }

  test('session validation: the session by its hash, joined with its user, from primary keys', async () => {
    const sessions = createSqlSessionStore(db);
    const { rows } = await sql<{ id_hash: string }>`select id_hash from sessions limit 1 offset 777`.execute(db);
    assertIndexed(await plansOf(() => sessions.findSessionAndUser(rows[0]!.id_hash)), ['sessions_pkey', 'users_pkey']);
  });

  test('forward-auth: the session by its proxy token hash, joined with its user, from indexes (issue #13, v5.0.0-7.2.1: one indexed read per proxied request)', async () => {
    const sessions = createSqlSessionStore(db);
    const { rows } = await sql<{ proxy_token_hash: string }>`select proxy_token_hash from sessions limit 1 offset 4321`.execute(db);
    const found = await sessions.findSessionAndUserByProxyHash(rows[0]!.proxy_token_hash);
    assert.ok(found, 'the seeded session is found by its proxy token hash');
    assertIndexed(await plansOf(() => sessions.findSessionAndUserByProxyHash(rows[0]!.proxy_token_hash)), ['sessions_proxy_token_hash_index', 'users_pkey']);
  });

  test('sign-in lookups by normalised username and by normalised email', async () => {
    const users = createSqlUserStore(db, Date.now);
    assertIndexed(await plansOf(() => users.findUserForLogin('user4242')), ['users_username_normalized_unique']);
    assertIndexed(await plansOf(() => users.findUserForLogin('user4242@example.test')), ['users_email_normalized_unique']);
  });

  test('user by id, and ending all sessions of a user', async () => {
    const users = createSqlUserStore(db, Date.now);
    const sessions = createSqlSessionStore(db);
    assertIndexed(await plansOf(() => users.findUserById(1234)), ['users_pkey']);
    assertIndexed(await plansOf(() => sessions.deleteSessionsForUser(1234)), ['sessions_user_id_index']);
  });
});
