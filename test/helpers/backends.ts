/**
 * Storage backends for tests. SQLite always; PostgreSQL, MySQL/MariaDB and Redis when their
 * URLs are set (TEST_POSTGRES_URL, TEST_MYSQL_URL, TEST_REDIS_URL; `.ci/run` exports them)
 * and they answer. Each `provision` makes an isolated database (a fresh PostgreSQL schema, a
 * fresh MySQL database, a Redis key prefix) and returns a cleanup that drops it.
 *
 * A missing service is a skip with one line saying which and why; with REQUIRE_SERVICES=1
 * (CI) it is a failure instead.
 *
 * The one source of truth for which backends a run has: `backendAvailability()` is used by
 * the contract suites (`eachBackend` in stores.ts), the throttle suites
 * (throttle-services.ts) and scripts/run-tests.js (which backend passes to run). Importing
 * this module loads no driver (they are imported when a backend is provisioned).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type BackendName = 'sqlite' | 'postgres' | 'mysql' | 'postgres+redis' | 'sqlite+redis';

export interface ProvisionedBackend {
  name: BackendName;
  /** Environment for Gatehouse: DATABASE_URL, and REDIS_URL when the backend has Redis. */
  env: Record<string, string>;
  redisKeyPrefix?: string;
  cleanup(): Promise<void>;
}

export const SERVICE_URLS = {
  postgres: process.env.TEST_POSTGRES_URL,
  mysql: process.env.TEST_MYSQL_URL,
  redis: process.env.TEST_REDIS_URL,
};

export const servicesRequired = process.env.REQUIRE_SERVICES === '1';

function uniqueName(): string {
  return `gh_${process.pid}_${randomBytes(4).toString('hex')}`;
}

async function provisionPostgres(adminUrl: string): Promise<{ url: string; cleanup(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const schema = uniqueName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async cleanup() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

async function provisionMysql(adminUrl: string): Promise<{ url: string; cleanup(): Promise<void> }> {
  const mysql = await import('mysql2/promise');
  const database = uniqueName();
  const admin = await mysql.createConnection({ uri: adminUrl });
  await admin.query(`create database \`${database}\` character set utf8mb4 collate utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async cleanup() {
      const client = await mysql.createConnection({ uri: adminUrl });
      await client.query(`drop database if exists \`${database}\``);
      await client.end();
    },
  };
}

async function redisCleanup(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

export type ServiceName = keyof typeof SERVICE_URLS;

export interface BackendAvailability {
  name: BackendName;
  /** For humans: "PostgreSQL + Redis". */
  label: string;
  /** The services it needs, each from its TEST_*_URL. */
  needs: ServiceName[];
  available: boolean;
  /** Why not, when not available: which variables are unset. */
  reason: string;
}

const BACKENDS: { name: BackendName; label: string; needs: ServiceName[] }[] = [
  { name: 'sqlite', label: 'SQLite', needs: [] },
  { name: 'postgres', label: 'PostgreSQL', needs: ['postgres'] },
  { name: 'mysql', label: 'MySQL/MariaDB', needs: ['mysql'] },
  { name: 'postgres+redis', label: 'PostgreSQL + Redis', needs: ['postgres', 'redis'] },
  { name: 'sqlite+redis', label: 'SQLite + Redis', needs: ['redis'] },
];

/** The variable that names a service's URL: TEST_POSTGRES_URL, TEST_MYSQL_URL, TEST_REDIS_URL. */
export const serviceVariable = (service: ServiceName) => `TEST_${service.toUpperCase()}_URL`;

/** Backends this machine can run, in a stable order, each with why it is not available. */
export function backendAvailability(): BackendAvailability[] {
  return BACKENDS.map(({ name, label, needs }) => {
    const missing = needs.filter((service) => !SERVICE_URLS[service]);
    const reason = missing.length === 0 ? '' : `${missing.map(serviceVariable).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`;
    return { name, label, needs, available: missing.length === 0, reason };
  });
}

export async function provisionBackend(name: BackendName): Promise<ProvisionedBackend> {
  const cleanups: Array<() => Promise<void>> = [];
  const env: Record<string, string> = {};
  let redisKeyPrefix: string | undefined;
  if (name.startsWith('sqlite')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-db-'));
    env.DATABASE_URL = `sqlite:${path.join(dir, 'gatehouse.db')}`;
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  } else if (name.startsWith('postgres')) {
    const db = await provisionPostgres(SERVICE_URLS.postgres!);
    env.DATABASE_URL = db.url;
    cleanups.push(db.cleanup);
  } else {
    const db = await provisionMysql(SERVICE_URLS.mysql!);
    env.DATABASE_URL = db.url;
    cleanups.push(db.cleanup);
  }
  if (name.endsWith('+redis')) {
    redisKeyPrefix = `${uniqueName()}:`;
    env.REDIS_URL = SERVICE_URLS.redis!;
    env.REDIS_KEY_PREFIX = redisKeyPrefix;
    const prefix = redisKeyPrefix;
    cleanups.push(() => redisCleanup(SERVICE_URLS.redis!, prefix));
  }
  return {
    name,
    env,
    redisKeyPrefix,
    async cleanup() {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    },
  };
}
