/**
 * Shared material for test/attacks/: hostile inputs, and small readers for what the attack
 * tests assert on (the session cookie in Set-Cookie lines, session rows, stack traces).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TestServer } from './server.ts';
import { TestClient, type TestResponse } from './client.ts';
import { storedSessionFor, storedSessions } from './session-records.ts';

export const SESSION_COOKIE = 'gatehouse_session';

export const SQL_INJECTION_LOGINS = [`admin' OR '1'='1' --`, `x' OR '1'='1`, `' OR 1=1; --`, `admin'--`];

/** Raw query strings for `/profile?` that are not one positive whole number. */
export const SQL_INJECTION_PROFILE_QUERIES = ['id=1%20OR%201=1', "id=1'", 'id=-1', 'id=1e3', 'id=', 'id=1;DROP%20TABLE%20users'];

export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  'javascript:alert(1)',
  '</p><script>alert(1)</script><p>',
  '<a href="javascript:alert(1)">click</a>',
  '<iframe srcdoc="<script>alert(1)</script>">',
];

/** Markup that must never reach a page unescaped. */
export const RAW_MARKUP = /<script>alert|<img src=x|<svg\/onload|<iframe|<a href="javascript:/i;

/** A same-shape stack trace: "at fn (/path/file.ts:12:3)" or node_modules frames. */
export const STACK_TRACE = /\bat\s.*\.(ts|js):\d+|node_modules/;

/** An attacker-chosen token of the right shape: base64url of 32 bytes, 43 characters. */
export function wellFormedToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The value of the session cookie set by this response, if any (empty string when cleared). */
export function sessionCookieSet(response: TestResponse): string | undefined {
  const line = response.setCookies.find((l) => l.startsWith(`${SESSION_COOKIE}=`));
  return line === undefined ? undefined : line.slice(SESSION_COOKIE.length + 1).split(';')[0];
}

export function sessionCookieLine(response: TestResponse): string | undefined {
  return response.setCookies.find((l) => l.startsWith(`${SESSION_COOKIE}=`));
}

/** The stored session of a token, on whichever backend holds sessions. */
export function sessionRowFor(server: TestServer, token: string) {
  return storedSessionFor(server, token);
}

export async function countRows(server: TestServer, table: 'users' | 'sessions'): Promise<number> {
  if (table === 'sessions') return (await storedSessions(server)).length;
  const row = await server.deps.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function userIdOf(server: TestServer, username: string): Promise<number> {
  const user = await server.deps.users.findUserByUsername(username.toLowerCase());
  if (!user) throw new Error(`no user ${username}`);
  return user.id;
}

/** A fresh client whose session cookie is `value` (a planted, forged or replayed token). */
export function clientWithSessionCookie(server: TestServer, value: string): TestClient {
  const client = new TestClient(server.url);
  client.cookies.set(SESSION_COOKIE, value);
  return client;
}
