/**
 * Running the probes: set-up (the session cookie's name, the accounts the chosen probes need:
 * throwaways registered as `audit-<random>` with strong random passwords never printed, or the
 * operator's `--user`), each probe in turn (an exception is a failure, its message the
 * evidence), and clean-up: every account the audit created is deleted through
 * /settings/delete-account (after /sudo when asked); when that fails its password is changed to
 * a random one nobody keeps; the `--user` account's audit sessions are signed out.
 */
import { randomBytes } from 'node:crypto';
import { TOTP } from 'otpauth';
import { accessProbes } from './access.ts';
import { bodyProbes } from './bodies.ts';
import { AuditClient, type AuditSession } from './client.ts';
import { csrfProbes } from './csrf.ts';
import { enumerationProbes } from './enumeration.ts';
import { headerProbes } from './headers.ts';
import { injectionProbes } from './injection.ts';
import { type Account, type AuditContext, type AuditText, type Family, type Needs, type Probe, type ProbeResult, randomSuffix, skip } from './probe.ts';
import { redirectProbes } from './redirects.ts';
import { sessionProbes } from './session.ts';
import { throttlingProbes } from './throttling.ts';
import { tokenProbes } from './tokens.ts';
import { xssProbes } from './xss.ts';

/** In this order: probes that lock an account out (enumeration, brute force, TOTP) run late. */
export const PROBES: readonly Probe[] = [
  ...headerProbes,
  ...sessionProbes,
  ...csrfProbes,
  ...xssProbes,
  ...accessProbes,
  ...redirectProbes,
  ...injectionProbes,
  ...bodyProbes,
  ...enumerationProbes,
  ...throttlingProbes,
  ...tokenProbes,
];

export interface ProbeReport {
  id: string;
  family: Family;
  result: ProbeResult['result'];
  evidence: AuditText;
}

/**
 * `locked`: the brute-force or TOTP probe locked the account's sign-in, so its password cannot be
 * checked to delete it now; that password was random, never printed, and ends with this process.
 */
export type CleanupOutcome = { username: string; outcome: 'deleted' | 'password-changed' | 'locked' | 'never-signed-in' | 'left' };

export interface AuditRun {
  reports: ProbeReport[];
  cleanup: CleanupOutcome[];
  /** Every secret seen or made (passwords, cookie values, tokens): redacted from all output. */
  secrets: Set<string>;
}

export interface AuditOptions {
  base: URL;
  user?: { username: string; password: string };
  only?: Family;
  /** A folder of `.eml` files the deployment's mail reaches (Gatehouse's outbox): lets the token-reuse probe run. */
  mailbox?: string;
  loginMaxFailures: number;
  /** At clean-up, wait out a lock on an audit account (its Retry-After) when no longer than this. */
  cleanupWaitSeconds: number;
  onProgress?: (done: number, total: number, id: string) => void;
  /** Said while clean-up waits for a lock to expire. */
  onWait?: (seconds: number, username: string) => void;
}

function strongPassword(): string {
  // A marker prefix lets tests look for any leaked audit password; 192 random bits follow it.
  return `Audit~${randomBytes(24).toString('base64url')}`;
}

export async function runAudit(options: AuditOptions): Promise<AuditRun> {
  const secrets = new Set<string>();
  const secret = (value: string) => {
    if (value.length >= 6) secrets.add(value);
  };
  const created: Account[] = [];
  const userSessions: AuditSession[] = [];
  const probes = PROBES.filter((probe) => options.only === undefined || probe.family === options.only);
  const needs = new Set<Needs>(probes.flatMap((probe) => probe.needs ?? []));

  const ctx: AuditContext = {
    base: options.base,
    https: options.base.protocol === 'https:',
    sessionCookie: 'gatehouse_session',
    loginMaxFailures: options.loginMaxFailures,
    mailbox: options.mailbox,
    client: () => new AuditClient(options.base, secret),
    async signIn(account, extra = {}) {
      const session = ctx.client();
      const query = new URLSearchParams(Object.entries(extra).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
      const path = query ? `/login?${query}` : '/login';
      await session.get(path);
      let response = await session.post(path, { username: account.username, password: account.password, ...extra });
      if (account.totpSecret && response.location?.includes('/login/two-factor')) {
        await session.get('/login/two-factor');
        response = await session.post('/login/two-factor', { code: new TOTP({ secret: account.totpSecret, digits: 6, period: 30, algorithm: 'SHA1' }).generate() });
      }
      if (!account.own) userSessions.push(session);
      const named = response.setCookies.map((line) => line.split('=')[0]!).find((name) => /session/i.test(name));
      if (named) ctx.sessionCookie = named;
      // The session's own form token, for the probes' next POST (the pre-sign-in one is void).
      if (response.status === 303 && !new URL(response.location ?? '/login', options.base).pathname.startsWith('/login')) await session.get('/dashboard');
      return { session, status: response.status, location: response.location, headers: response.headers };
    },
    async register(fields) {
      secret(fields.password);
      const client = ctx.client();
      await client.get('/register');
      const response = await client.post('/register', fields);
      if (response.status === 303 || response.status === 302) created.push({ ...fields, own: true });
      return { status: response.status, location: response.location, body: response.body };
    },
    secret,
  };

  // The session cookie's name, as the server sets it (gatehouse_session, or __Host- in production).
  const probe = await ctx.client().get('/login');
  const named = probe.setCookies.map((line) => line.split('=')[0]!).find((name) => /session/i.test(name));
  if (named) ctx.sessionCookie = named;

  const describe = async (account: Account): Promise<boolean> => {
    const signedIn = await ctx.signIn(account);
    if (signedIn.status !== 303 || new URL(signedIn.location ?? '/login', options.base).pathname.startsWith('/login')) return false;
    account.keeper = signedIn.session;
    const profile = await signedIn.session.get('/profile');
    const id = /data-user-id="(\d+)"/.exec(profile.body)?.[1];
    if (id !== undefined) account.id = Number(id);
    const me = await signedIn.session.get('/api/v1/me');
    if (me.status === 200) {
      try {
        const data = JSON.parse(me.body) as { role?: string; email?: string; user?: { role?: string; email?: string } };
        account.role = data.role ?? data.user?.role;
        account.email = data.email ?? data.user?.email ?? account.email;
      } catch {
        // no JSON: the role stays unknown
      }
    } else if (/\badmin\b/i.test(/data-role="([^"]+)"/.exec(profile.body)?.[1] ?? '')) account.role = 'admin';
    return true;
  };
  const throwaway = async (label: string): Promise<Account | undefined> => {
    const suffix = randomSuffix();
    const fields = { username: `audit-${suffix}${label}`, email: `audit-${suffix}${label}@audit.invalid`, password: strongPassword() };
    const answer = await ctx.register(fields);
    if (answer.status !== 303 && answer.status !== 302) return undefined;
    ctx.registration ??= { status: answer.status, location: answer.location };
    const account = created.find((a) => a.username === fields.username)!;
    return (await describe(account)) ? account : undefined;
  };

  if (options.user) {
    secret(options.user.password);
    const account: Account = { username: options.user.username, email: '', password: options.user.password, own: false };
    if (!(await describe(account))) throw new AuditSetupError('cli.audit.user_sign_in_failed', { user: options.user.username });
    ctx.primary = account;
  } else if (needs.has('primary') || needs.has('second')) {
    ctx.primary = await throwaway('a');
  }
  if (needs.has('second')) ctx.second = await throwaway('b');
  if (needs.has('target')) ctx.target = await throwaway('c');

  const reports: ProbeReport[] = [];
  for (const [index, current] of probes.entries()) {
    options.onProgress?.(index, probes.length, current.id);
    const missing = (current.needs ?? []).find((need) => ctx[need] === undefined);
    let outcome: ProbeResult;
    if (missing !== undefined) {
      outcome = skip(`cli.audit.skip.needs_${missing}`);
    } else {
      try {
        outcome = await current.run(ctx);
      } catch (error) {
        outcome = { result: 'fail', evidence: { key: 'cli.audit.probe_error', params: { reason: String((error as Error).message ?? error).split('\n')[0]! } } };
      }
    }
    reports.push({ id: current.id, family: current.family, ...outcome });
  }
  options.onProgress?.(probes.length, probes.length, 'cleanup');

  const cleanup: CleanupOutcome[] = [];
  for (const account of created) {
    let outcome = await removeAccount(ctx, account);
    // A lock this run caused (brute force, TOTP) expires soon: wait once and try again.
    if (outcome.kind === 'locked' && outcome.retryAfterSeconds !== undefined && outcome.retryAfterSeconds <= options.cleanupWaitSeconds) {
      options.onWait?.(outcome.retryAfterSeconds, account.username);
      const waitMs = outcome.retryAfterSeconds * 1000 + 500;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      outcome = await removeAccount(ctx, account);
    }
    cleanup.push({ username: account.username, outcome: outcome.kind });
  }
  for (const session of userSessions) await session.post('/logout', {}).catch(() => undefined);
  return { reports, cleanup, secrets };
}

export class AuditSetupError extends Error {
  readonly key: 'cli.audit.user_sign_in_failed';
  readonly params: Record<string, string>;
  constructor(key: 'cli.audit.user_sign_in_failed', params: Record<string, string>) {
    super(key);
    this.key = key;
    this.params = params;
  }
}

async function canSignIn(ctx: AuditContext, account: Account): Promise<boolean> {
  const attempt = await ctx.signIn(account);
  return attempt.status === 303 && !new URL(attempt.location ?? '/login', ctx.base).pathname.startsWith('/login');
}

/** A session of the account that may make sensitive changes (after /sudo when asked). */
async function withSudo(session: AuditSession, account: Account, path: string): Promise<boolean> {
  let page = await session.get(path);
  if (page.status === 303 && page.location?.startsWith('/sudo')) {
    await session.get(page.location);
    await session.post('/sudo', { current_password: account.password, next: path });
    page = await session.get(path);
  }
  return page.status === 200;
}

type Removal = { kind: Exclude<CleanupOutcome['outcome'], 'locked'> } | { kind: 'locked'; retryAfterSeconds?: number };

function lockedBy(response: { headers: Headers }): Removal {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? { kind: 'locked', retryAfterSeconds: seconds } : { kind: 'locked' };
}

async function removeAccount(ctx: AuditContext, account: Account): Promise<Removal> {
  let session = account.keeper;
  if (!session || !(await session.signedIn())) {
    const fresh = await ctx.signIn(account);
    if (fresh.status !== 303 || new URL(fresh.location ?? '/login', ctx.base).pathname.startsWith('/login')) {
      return fresh.status === 429 ? lockedBy(fresh) : { kind: 'never-signed-in' };
    }
    session = fresh.session;
  }
  if (await withSudo(session, account, '/settings/delete-account')) {
    const deleted = await session.post('/settings/delete-account', { current_password: account.password });
    if (deleted.status === 303 && !(await canSignIn(ctx, account))) return { kind: 'deleted' };
    if (deleted.status === 429) return lockedBy(deleted);
  }
  // Deletion refused: the password becomes one nobody knows, so the account cannot sign in.
  if (await withSudo(session, account, '/settings/password')) {
    const forgotten = randomBytes(32).toString('base64url');
    const changed = await session.post('/settings/password', { current_password: account.password, new_password: forgotten });
    if (changed.status < 400 && !(await canSignIn(ctx, account))) return { kind: 'password-changed' };
    if (changed.status === 429) return lockedBy(changed);
  }
  return { kind: 'left' };
}
