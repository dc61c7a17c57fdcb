/**
 * Better Auth as the benchmark's peer (figures P1–P3, bench/figures/peer.mjs): email and
 * password on a better-sqlite3 file, served by node:http through `toNodeHandler`, the way
 * its Node integration docs mount it. Nothing else is on the server, so every request the
 * harness makes is Better Auth's own handler.
 *
 * Environment (all required but NODE_ENV):
 *   PORT                 listens on 127.0.0.1:PORT
 *   PEER_DB_FILE         the SQLite file (created; its schema is migrated at start)
 *   BETTER_AUTH_SECRET   at least 32 characters (Better Auth refuses to start in production without one)
 *   NODE_ENV             production (what the harness passes)
 *
 * Settings that differ from Better Auth's defaults, and why:
 *   - rateLimit disabled: Better Auth enables its limiter in production (sign-in: 3 per
 *     10 s per IP); the benchmark drives every request from 127.0.0.1, and Gatehouse's own
 *     limits are relaxed the same way (GLOBAL_RATE_LIMIT=0 in bench/lib/servers.mjs).
 *   - telemetry disabled: no outbound traffic from the measured process.
 *   - the same four SQLite pragmas as Gatehouse (src/storage/open-database.ts): WAL,
 *     synchronous=NORMAL, foreign_keys, busy_timeout. better-sqlite3's default journal is
 *     rollback with synchronous=FULL, which would make every session write fsync twice.
 * Password hashing is Better Auth's default (scrypt N=16384 r=16 p=1, node:crypto on the
 * libuv thread pool); the session cookie cache stays off (its default), so get-session
 * reads the session and user rows from SQLite on every request, as Gatehouse does.
 *
 * Prints "better-auth peer listening on <url>" once it accepts requests; SIGTERM closes it.
 */
import http from 'node:http';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`better-auth peer: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const port = Number(required('PORT'));
const dbFile = required('PEER_DB_FILE');
const secret = required('BETTER_AUTH_SECRET');
const baseURL = `http://127.0.0.1:${port}`;

const db = new Database(dbFile);
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');

const options = {
  baseURL,
  secret,
  database: db,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
};

// Better Auth's own schema (user, session, account, verification), created non-interactively.
const { runMigrations } = await getMigrations(options);
await runMigrations();

const auth = betterAuth(options);
const server = http.createServer(toNodeHandler(auth));
server.keepAliveTimeout = 65_000; // autocannon and the load script keep connections open between requests
server.listen(port, '127.0.0.1', () => console.log(`better-auth peer listening on ${baseURL}`));

process.once('SIGTERM', () => {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  server.closeAllConnections();
});
