/**
 * Test support for the throttle suites: where PostgreSQL, MySQL/MariaDB and Redis are
 * (TEST_POSTGRES_URL, TEST_MYSQL_URL, TEST_REDIS_URL, defaulting to this machine), a fresh
 * schema or database per run so nothing is left in the shared one, and the skip rule: a
 * service that does not answer skips its suite with one line, or fails it when
 * REQUIRE_SERVICES=1 (what `.ci/run` sets).
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';

export const SERVICE_URLS = {
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** A name no earlier run used: schema, database and key prefixes. */
export function uniqueTestName(): string {
  return `gatehouse_throttle_${randomBytes(6).toString('hex')}`;
}

/** One skip line for a missing service, or a failure when the run requires every service. */
export function skipUnavailable(t: TestContext, reason: string): void {
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`${reason} (REQUIRE_SERVICES=1)`);
  t.skip(reason);
}

/** Without credentials, for messages. */
export const displayUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

/**
 * A fresh PostgreSQL schema or MySQL database for this run; undefined when the server does
 * not answer. `cleanup` drops it.
 */
export async function isolatedDatabase(kind: 'postgres' | 'mysql'): Promise<{ url: string; cleanup(): Promise<void> } | undefined> {
  const name = uniqueTestName();
  const url = new URL(SERVICE_URLS[kind]);
  try {
    if (kind === 'postgres') {
      const { default: pg } = await import('pg');
      const run = async (statement: string) => {
        const client = new pg.Client({ connectionString: SERVICE_URLS.postgres, connectionTimeoutMillis: 3000 });
        await client.connect();
        await client.query(statement).finally(() => client.end());
      };
      await run(`create schema "${name}"`);
      url.searchParams.set('options', `-c search_path=${name}`);
      return { url: url.toString(), cleanup: () => run(`drop schema if exists "${name}" cascade`) };
    }
    const mysql = await import('mysql2/promise');
    const run = async (statement: string) => {
      const client = await mysql.createConnection({ uri: SERVICE_URLS.mysql, connectTimeout: 3000 });
      await client.query(statement).finally(() => client.end());
    };
    await run(`create database \`${name}\``);
    url.pathname = `/${name}`;
    return { url: url.toString(), cleanup: () => run(`drop database if exists \`${name}\``) };
  } catch {
    return undefined;
  }
}
