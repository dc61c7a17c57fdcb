// Property: on a MySQL/MariaDB database whose default character set is latin1 (as older
// servers and many hosted ones are), Gatehouse's tables still store any Unicode name, email
// and user agent, because the migration gives its tables utf8mb4 itself.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open-database.ts';
import { createSqlSessionStore } from '../../src/storage/sql/session-store.ts';
import { createSqlUserStore } from '../../src/storage/sql/user-store.ts';
import { SERVICE_URLS, servicesRequired } from '../helpers/backends.ts';

const adminUrl = SERVICE_URLS.mysql;

describe('a latin1 MySQL database', { skip: !adminUrl && !servicesRequired ? 'MySQL not available: TEST_MYSQL_URL is not set' : false }, () => {
  const name = `gh_latin1_${randomBytes(4).toString('hex')}`;
  let database: DatabaseHandle;

  before(async () => {
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ uri: adminUrl! });
    await admin.query(`create database \`${name}\` character set latin1 collate latin1_swedish_ci`);
    await admin.end();
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    database = await openDatabase(url.toString());
    const migrated = await migrateToLatest(database.db);
    assert.ok(migrated.ok, migrated.ok ? '' : migrated.error);
  });

  after(async () => {
    await database?.close();
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ uri: adminUrl! });
    await admin.query(`drop database if exists \`${name}\``);
    await admin.end();
  });

  test('a Cyrillic name, an accented email and an emoji user agent round-trip', async () => {
    const users = createSqlUserStore(database.db, Date.now);
    const created = await users.createUser({
      username: 'Жанна',
      usernameNormalized: 'жанна',
      email: 'zoë@exämple.test',
      emailNormalized: 'zoë@exämple.test',
      passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
      role: 'user',
      createdAt: new Date(),
    });
    assert.ok(created.ok);
    assert.equal(created.user.username, 'Жанна');
    assert.equal((await users.findUserForLogin('жанна'))?.email, 'zoë@exämple.test');

    const sessions = createSqlSessionStore(database.db);
    const now = Date.now();
    await sessions.createSession({
      idHash: 'c'.repeat(64),
      userId: created.user.id,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: new Date(now + 60_000),
      ip: '203.0.113.9',
      userAgent: 'Navigateur 🦊 Ünïcode',
      credentialVersion: 0,
    });
    assert.equal((await sessions.findSessionAndUser('c'.repeat(64)))?.session.userAgent, 'Navigateur 🦊 Ünïcode');
  });
});
