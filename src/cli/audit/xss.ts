/**
 * Cross-site scripting and content spoofing (ASVS v5.0.0-1.2.1, 1.3.x): a payload is never
 * echoed as markup — in the dashboard's `message` (the demo's lesson), in a form re-rendered
 * with its errors, in the `next` field, in an error page; markup in a stored username or email
 * is escaped on the pages that show it (the admin pages too, with an admin `--user`); and the
 * `message` text is not rendered at all.
 */
import type { AuditClient } from './client.ts';
import { fail, pass, type Probe, randomSuffix, skip } from './probe.ts';

const SCRIPT = (tag: string) => `<script>alert('${tag}')</script>`;
const IMAGE = (tag: string) => `"><img src=x onerror=alert('${tag}')>`;

function echoes(body: string, payloads: string[]): string | undefined {
  return payloads.find((payload) => body.includes(payload));
}

const reflectedDashboard: Probe = {
  id: 'xss.reflected-message',
  family: 'xss',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const tag = randomSuffix();
    for (const payload of [SCRIPT(tag), IMAGE(tag)]) {
      const response = await session.get(`/dashboard?message=${encodeURIComponent(payload)}`);
      if (echoes(response.body, [payload])) return fail(`GET /dashboard?message=${payload} → ${response.status}, the markup is in the page`);
    }
    return pass('GET /dashboard?message=<script>… and "><img onerror…> → not echoed as markup');
  },
};

const reflectedForms: Probe = {
  id: 'xss.reflected-forms',
  family: 'xss',
  async run(ctx) {
    const tag = randomSuffix();
    const payloads = [SCRIPT(tag), IMAGE(tag)];
    const client: AuditClient = ctx.client();
    const checks: Array<[string, () => Promise<{ body: string; status: number }>]> = [
      ['GET /login?next=', () => client.get(`/login?next=${encodeURIComponent(payloads[1]!)}`)],
      ['POST /login username=', async () => (await client.get('/login'), client.post('/login', { username: payloads[0]!, password: 'wrong-password' }))],
      ['POST /register username=', async () => (await client.get('/register'), ctx.register({ username: payloads[0]!, email: `audit-${tag}@audit.invalid`, password: 'x' }))],
      ['POST /register email=', async () => (await client.get('/register'), ctx.register({ username: `audit-${tag}`, email: payloads[1]!, password: 'x' }))],
      ['POST /forgot-password email=', async () => (await client.get('/forgot-password'), client.post('/forgot-password', { email: payloads[0]! }))],
      ['GET /<script> (error page)', () => client.get(`/${encodeURIComponent(payloads[0]!)}`)],
      ['GET /profile?id=<script>', () => client.get(`/profile?id=${encodeURIComponent(payloads[0]!)}`)],
    ];
    for (const [label, check] of checks) {
      const response = await check();
      const echoed = echoes(response.body, payloads);
      if (echoed) return fail(`${label}${echoed} → ${response.status}, the markup is in the page`);
    }
    return pass(`${checks.length} forms and error pages given <script> and "><img onerror> → escaped`);
  },
};

const stored: Probe = {
  id: 'xss.stored-profile',
  family: 'xss',
  async run(ctx) {
    const tag = randomSuffix();
    const markup = `<script>alert("${tag}")</script>`;
    const username = `<b>au${tag}</b>${markup}`;
    const email = `audit-${tag}@audit.invalid`;
    const password = `Audit~${randomSuffix(16)}${randomSuffix(16)}`;
    ctx.secret(password);
    const registered = await ctx.register({ username, email, password });
    if (registered.status === 403 || registered.status === 404) return skip('cli.audit.skip.registration_closed');
    if (echoes(registered.body, [markup])) return fail(`POST /register username=${username} → ${registered.status}, the markup is in the page`);
    const signedIn = await ctx.signIn({ username, email, password, own: true });
    if (signedIn.status !== 303 || new URL(signedIn.location ?? '/login', ctx.base).pathname.startsWith('/login')) {
      return pass(`username with markup → registration ${registered.status}, no account signs in with it`);
    }
    for (const path of ['/dashboard', '/profile', '/settings/sessions']) {
      const page = await signedIn.session.get(path);
      if (echoes(page.body, [markup])) return fail(`username ${username} stored; GET ${path} → ${page.status}, rendered as markup`);
    }
    return pass(`username with markup stored; /dashboard, /profile, /settings/sessions escape it (the admin pages need an admin: not checked)`);
  },
};

const spoofing: Probe = {
  id: 'xss.content-spoofing',
  family: 'xss',
  needs: ['primary'],
  async run(ctx) {
    const { session } = await ctx.signIn(ctx.primary!);
    const text = `AUDIT${randomSuffix()} Your account is suspended, call 555-0100`;
    for (const path of ['/dashboard', '/login', '/']) {
      const response = await session.get(`${path}?message=${encodeURIComponent(text)}`);
      if (response.body.includes(text.slice(0, 14))) return fail(`GET ${path}?message=${text} → ${response.status}, the text is on the page`);
    }
    return pass('GET /dashboard, /login, / ?message=<made-up notice> → the text is not shown');
  },
};

/**
 * What admins read is written by strangers: a username tried at sign-in (the audit log), a
 * username registered, and the User-Agent of those requests. With an admin `--user`, markup is
 * planted in all three and the admin pages that list them are read back: the markup must not
 * be there as markup. Without an admin it skips, saying so.
 */
const storedAdmin: Probe = {
  id: 'xss.stored-admin',
  family: 'xss',
  needs: ['primary'],
  async run(ctx) {
    if (ctx.primary!.role !== 'admin') return skip('cli.audit.skip.needs_admin');
    const tag = randomSuffix();
    const markup = `<script>alert("${tag}")</script>`;
    const agent = `Mozilla/5.0 "><img src=x onerror=alert('${tag}')>`;
    const planted = [markup, `<img src=x onerror=alert('${tag}')>`];
    const stranger = ctx.client();
    await stranger.get('/login', { 'user-agent': agent });
    await stranger.request('POST', '/login', { form: { username: `au${tag}${markup}`, password: 'wrong-password-audit' }, headers: { 'user-agent': agent } });
    const password = `Audit~${randomSuffix(16)}${randomSuffix(16)}`;
    ctx.secret(password);
    await ctx.register({ username: `au${tag}${markup}`, email: `audit-${tag}@audit.invalid`, password });
    const { session } = await ctx.signIn(ctx.primary!);
    const read: string[] = [];
    for (const path of ['/admin', `/admin/users?q=au${tag}`, '/admin/users', '/admin/audit', `/admin/audit?type=login.failed`]) {
      const page = await session.get(path);
      if (page.status === 404) continue;
      if (echoes(page.body, planted)) return fail(`markup in a sign-in username, a registration and a User-Agent; GET ${path} → ${page.status}, rendered as markup`);
      read.push(`${path} → ${page.status}`);
    }
    if (read.length === 0) return skip('cli.audit.skip.no_route', { route: '/admin, /admin/users, /admin/audit' });
    return pass(`markup in a sign-in username, a registration and a User-Agent; as admin: ${read.join(', ')}, escaped`);
  },
};

export const xssProbes: Probe[] = [reflectedDashboard, reflectedForms, stored, storedAdmin, spoofing];
