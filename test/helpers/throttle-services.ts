/**
 * Test support for the throttle suites: where PostgreSQL, MySQL/MariaDB and Redis are (the
 * same TEST_*_URL rule as every other suite: backends.ts), a fresh schema or database per
 * run so nothing is left in the shared one, and the skip rule: a service whose URL is unset
 * or that does not answer skips its test with one line, or fails it when REQUIRE_SERVICES=1
 * (what `.ci/run` sets).
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { SERVICE_URLS, type ServiceName, serviceVariable, servicesRequired } from './backends.ts';

export { SERVICE_URLS };

/** Why `service` cannot be used in this run, or undefined when its URL is set. */
export function unsetService(service: ServiceName): string | undefined {
  return SERVICE_URLS[service] ? undefined : `${serviceVariable(service)} is not set`;
}

/** A name no earlier run used: schema, database and key prefixes. */
export function uniqueTestName(): string {
  return `gatehouse_throttle_${randomBytes(6).toString('hex')}`;
}

/** One skip line for a missing service, or a failure when the run requires every service. */
export function skipUnavailable(t: TestContext, reason: string): void {
  if (servicesRequired) throw new Error(`${reason} (REQUIRE_SERVICES=1)`);
  t.skip(reason);
}

/** Without credentials, for messages. */
export const displayUrl = (url: string | undefined) => (url ?? '(unset)').replace(/\/\/[^@/]*@/, '//');

/**
 * A fresh PostgreSQL schema or MySQL database for this run; undefined when the server does
 * not answer. `cleanup` drops it.
 */
export async function isolatedDatabase(kind: 'postgres' | 'mysql'): Promise<{ url: string; cleanup(): Promise<void> } | undefined> {
  const adminUrl = SERVICE_URLS[kind];
  if (!adminUrl) return undefined;
  const name = uniqueTestName();
  const url = new URL(adminUrl);
  try {
    if (kind === 'postgres') {
      const { default: pg } = await import('pg');
      const run = async (statement: string) => {
        const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
        await client.connect();
        await client.query(statement).finally(() => client.end());
      };
      await run(`create schema "${name}"`);
      url.searchParams.set('options', `-c search_path=${name}`);
      return { url: url.toString(), cleanup: () => run(`drop schema if exists "${name}" cascade`) };
    }
    const mysql = await import('mysql2/promise');
    const run = async (statement: string) => {
      const client = await mysql.createConnection({ uri: adminUrl, connectTimeout: 3000 });
      await client.query(statement).finally(() => client.end());
    };
    await run(`create database \`${name}\``);
    url.pathname = `/${name}`;
    return { url: url.toString(), cleanup: () => run(`drop database if exists \`${name}\``) };
  } catch {
    return undefined;
  }
}
