/**
 * A deliberately weakened imitation of Gatehouse's routes, built only so the tests can prove
 * each `gatehouse audit` probe can fail: SQL built from strings over better-sqlite3 (errors
 * answered 500 with the driver's text), output never escaped, sign-out by GET or POST without a
 * token and without ending the server's session, no CSRF check, no throttle, a session id
 * fixed per user (and a planted one kept at sign-in), no security headers, cookies without
 * flags, an open `next` redirect, different answers (and timings) for unknown users and taken addresses, no
 * body size limit, admin pages that list stored usernames raw, and (with `mailbox`) reset
 * tokens that never expire nor get spent. Never start this anywhere but a test on loopback.
 */
import Database from 'better-sqlite3';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface WeakServer {
  url: string;
  db: Database.Database;
  stop(): Promise<void>;
}

const COOKIE = 'weak_session';

function page(body: string): string {
  return `<!doctype html><html><body><form method="post" action="/logout"><input type="hidden" name="csrf_token" value="weak-token"></form>${body}</body></html>`;
}

function form(action: string, fields: string[], values: Record<string, string> = {}, error = ''): string {
  const inputs = fields.map((name) => `<input name="${name}" value="${values[name] ?? ''}">`).join('');
  return page(`<p>${error}</p><form method="post" action="${action}"><input type="hidden" name="csrf_token" value="weak-token">${inputs}</form>`);
}

export interface WeakOptions {
  /** The first account deletion of each user answers 429 with this Retry-After (a lock, as after brute force). */
  lockDeletionOnceSeconds?: number;
  /** Reset links are mailed as .eml files into this folder, and a reset token works forever (reusable). */
  mailbox?: string;
}

export async function startWeakServer(options: WeakOptions = {}): Promise<WeakServer> {
  const deletionLocked = new Set<string>();
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE, email TEXT UNIQUE, password TEXT, role TEXT DEFAULT 'user');
    INSERT INTO users (username, email, password, role) VALUES ('admin', 'admin@weak.test', 'admin-password', 'admin');`);
  const sessions = new Map<string, number>();
  const resetTokens = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://weak');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    const body: Record<string, string> = type.includes('json') ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    const cookies = Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
    const sid = cookies[COOKIE];
    const userId = sid === undefined ? undefined : (sessions.get(sid) ?? (/^user-(\d+)$/.exec(sid) ? Number(sid.slice(5)) : undefined));
    const user = userId === undefined ? undefined : (db.prepare(`SELECT * FROM users WHERE id = ${userId}`).get() as { id: number; username: string; email: string; password: string } | undefined);
    const send = (status: number, html: string, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': type.includes('json') && req.url?.startsWith('/api') ? 'application/json' : 'text/html', ...headers });
      res.end(html);
    };
    const redirect = (to: string, headers: Record<string, string | string[]> = {}) => send(303, '', { location: to, ...headers });
    const route = `${req.method} ${url.pathname}`;

    const signIn = (username: string, password: string): { id: number } | 'unknown' | 'wrong' => {
      const row = db.prepare(`SELECT * FROM users WHERE username = '${username}' AND password = '${password}'`).get() as { id: number } | undefined;
      if (row) return row;
      if (!db.prepare(`SELECT id FROM users WHERE username = '${username}'`).get()) return 'unknown';
      // A hash is worked only for a known user: the timing tells who has an account.
      pbkdf2Sync(password, 'salt', 600_000, 32, 'sha256');
      return 'wrong';
    };

    switch (route) {
      case 'GET /':
        return send(200, page(`<h1>Weak</h1>${url.searchParams.get('message') ?? ''}`));
      case 'GET /login':
        if (user) return redirect(url.searchParams.get('next') ?? '/dashboard');
        return send(200, form('/login', ['username', 'password', 'next'], { next: url.searchParams.get('next') ?? '' }, url.searchParams.get('message') ?? ''));
      case 'POST /login': {
        const result = signIn(body.username ?? '', body.password ?? '');
        if (result === 'unknown') return send(401, form('/login', ['username', 'password'], body, `No such user: ${body.username}`));
        if (result === 'wrong') return send(401, form('/login', ['username', 'password'], body, 'Wrong password'));
        // Fixation: a session id the browser already has is kept and signed in.
        const id = sid ?? `user-${result.id}`;
        sessions.set(id, result.id);
        return redirect(body.next || url.searchParams.get('next') || url.searchParams.get('rd') || '/dashboard', sid ? {} : { 'set-cookie': `${COOKIE}=${id}; Path=/` });
      }
      case 'POST /api/v1/login': {
        const result = signIn(body.username ?? '', body.password ?? '');
        if (typeof result === 'string') return send(401, JSON.stringify({ error: result }));
        sessions.set(`user-${result.id}`, result.id);
        return send(200, JSON.stringify({ ok: true }), { 'set-cookie': `${COOKIE}=user-${result.id}; Path=/` });
      }
      case 'GET /api/v1/csrf':
        return send(200, JSON.stringify({ csrfToken: 'weak-api-token' }), { 'content-type': 'application/json' });
      case 'GET /logout':
      case 'POST /logout':
      case 'POST /api/v1/logout':
        // The cookie is cleared; the server's session lives on.
        return redirect('/', { 'set-cookie': `${COOKIE}=; Max-Age=0; Path=/` });
      case 'GET /register':
        return send(200, form('/register', ['username', 'email', 'password']));
      case 'POST /register': {
        if (db.prepare(`SELECT id FROM users WHERE email = '${body.email}'`).get()) return send(400, form('/register', ['username', 'email', 'password'], body, 'That email is already registered'));
        // A hash is worked only for a new account: the timing tells which addresses are taken.
        pbkdf2Sync(body.password ?? '', 'salt', 600_000, 32, 'sha256');
        db.exec(`INSERT INTO users (username, email, password) VALUES ('${body.username}', '${body.email}', '${body.password}')`);
        return redirect('/login');
      }
      case 'GET /forgot-password':
        return send(200, form('/forgot-password', ['email']));
      case 'POST /forgot-password': {
        const known = db.prepare(`SELECT id FROM users WHERE email = '${body.email}'`).get();
        // The mail is sent inline, only for a known address: the timing tells who has an account.
        if (known) await new Promise((resolve) => setTimeout(resolve, 300));
        if (known && options.mailbox) {
          const token = randomBytes(32).toString('base64url');
          resetTokens.set(token, (known as { id: number }).id);
          mkdirSync(options.mailbox, { recursive: true });
          writeFileSync(path.join(options.mailbox, `${Date.now()}-reset.eml`), `To: ${body.email}\r\nSubject: Reset\r\n\r\nhttp://weak/reset-password?token=${token}\r\n`);
        }
        return send(200, page(known ? 'A reset link is on its way' : `No account uses ${body.email}`));
      }
      case 'GET /dashboard':
        if (!user) return redirect(`/login?next=${encodeURIComponent(url.pathname)}`);
        return send(200, page(`<h1>Welcome ${user.username}</h1><p>${url.searchParams.get('message') ?? ''}</p>`));
      case 'GET /profile': {
        if (!user) return redirect('/login');
        const row = db.prepare(`SELECT * FROM users WHERE id = ${url.searchParams.get('id') ?? user.id}`).get() as { id: number; username: string; email: string; role: string } | undefined;
        if (!row) return send(404, page('no such user'));
        return send(200, page(`<dl data-user-id="${row.id}" data-role="${row.role}"><dt>Username</dt><dd>${row.username}</dd><dd>${row.email}</dd></dl>`));
      }
      case 'GET /admin':
      case 'GET /admin/users': {
        if (!user || (user as { role?: string }).role !== 'admin') return send(403, page('admins only'));
        // Stored usernames, unescaped.
        const rows = db.prepare('SELECT username FROM users').all() as Array<{ username: string }>;
        return send(200, page(`<ul>${rows.map((row) => `<li>${row.username}</li>`).join('')}</ul>`));
      }
      case 'GET /reset-password':
      case 'POST /reset-password': {
        if (!options.mailbox) return send(404, page('Not found'));
        if (req.method === 'GET') return send(200, form('/reset-password', ['token', 'password'], { token: url.searchParams.get('token') ?? '' }));
        // The token is never spent: the link works again and again.
        const owner = resetTokens.get(body.token ?? '');
        if (owner === undefined) return send(400, page('invalid link'));
        db.prepare('UPDATE users SET password = ? WHERE id = ?').run(body.password, owner);
        return redirect('/login');
      }
      case 'GET /settings/sessions':
      case 'GET /settings/delete-account':
      case 'GET /settings/password':
        if (!user) return redirect('/login');
        return send(200, form(url.pathname, ['current_password']));
      case 'POST /settings/delete-account':
        if (!user || body.current_password !== user.password) return send(403, page('no'));
        if (options.lockDeletionOnceSeconds !== undefined && !deletionLocked.has(user.username)) {
          deletionLocked.add(user.username);
          return send(429, page('locked'), { 'retry-after': String(options.lockDeletionOnceSeconds) });
        }
        db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
        return redirect('/');
      case 'POST /settings/password':
        if (!user || body.current_password !== user.password) return send(403, page('no'));
        db.prepare('UPDATE users SET password = ? WHERE id = ?').run(body.new_password, user.id);
        return redirect('/settings/password');
      default:
        return send(404, page(`<h1>Not found: ${decodeURIComponent(url.pathname)}</h1>`));
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`Internal Server Error\n${error.stack}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        db.close();
      }),
  };
}
