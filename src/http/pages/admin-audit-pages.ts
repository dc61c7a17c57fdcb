/**
 * The audit viewer (issue #11) and its exports, for holders of `audit:read`. Filters: the
 * user (by username: events by or about that account), the event type, the client IP and a
 * time range (admin-query.ts); newest first, 50 a page, "older events" continuing after the
 * last seq shown (a keyset: no event skipped or repeated while new ones arrive).
 *
 * `/admin/audit.csv` and `/admin/audit.jsonl` export every event of the filtered view (all
 * pages), streamed from the reader in batches (memory stays flat), as an attachment with
 * `nosniff` (v5.0.0-3.2.1). CSV cells are neutralised against formula injection
 * (audit-export.ts). Each export is itself recorded, `audit.exported` with its format and
 * filters, before the first byte leaves: reading the log in bulk leaves a trace.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditFilter } from '../../domain/ports.ts';
import { normalizeUsername } from '../../domain/users/user.ts';
import { ADMIN_PAGE_SIZE, auditQuery, type AuditQuery, issueFields, queryProblems, toAuditFilter, withoutBlanks } from '../admin-query.ts';
import { auditContext } from '../audit-context.ts';
import { type ExportFormat, exportLines } from '../audit-export.ts';
import { cachedNames, namesOf } from '../event-names.ts';
import { AuthError } from '../../domain/errors.ts';
import { requirePassedGates } from './gates.ts';
import type { AdminPageDeps } from './admin-pages.ts';
import type { PageTools } from './page-tools.ts';
import { type AuditFilterForm, auditPage } from './views/admin-audit-views.ts';

const HTML = 'text/html; charset=utf-8';
const EXPORT_TYPES: Readonly<Record<ExportFormat, string>> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

type Resolved = { ok: true; filter: AuditFilter; query: AuditQuery; unknownUser: boolean } | { ok: false; fields: string[] };

export async function adminAuditPages(app: FastifyInstance, options: { deps: AdminPageDeps; pages: PageTools }) {
  const { deps, pages } = options;
  const read = { config: { access: { permission: 'audit:read' as const } }, preHandler: requirePassedGates };

  /** The query as a reader filter, the username resolved to its account. */
  async function resolve(raw: Record<string, unknown>): Promise<Resolved> {
    const parsed = auditQuery.safeParse(raw);
    if (!parsed.success) return { ok: false, fields: issueFields(parsed.error) };
    const converted = toAuditFilter(parsed.data);
    if (!converted.ok) return converted;
    if (!parsed.data.user) return { ok: true, filter: converted.filter, query: parsed.data, unknownUser: false };
    const user = await deps.users.findUserByUsername(normalizeUsername(parsed.data.user));
    return { ok: true, filter: { ...converted.filter, ...(user ? { userId: user.id } : {}) }, query: parsed.data, unknownUser: !user };
  }

  app.get('/admin/audit', read, async (request, reply) => {
    const raw = withoutBlanks(request.query);
    const text = (name: string) => (typeof raw[name] === 'string' ? (raw[name] as string) : '');
    const form: AuditFilterForm = { user: text('user'), type: text('type'), ip: text('ip'), from: text('from'), to: text('to') };
    const page = { ...pages.context(request, reply, 'page.admin.audit.title'), user: request.auth!.user };
    const empty = { form, events: [], names: new Map(), older: null, paged: false, unknownUser: false };
    const resolved = await resolve(raw);
    if (!resolved.ok) return reply.code(400).type(HTML).send(auditPage(page, { ...empty, problems: queryProblems(resolved.fields, request.locale) }));
    const paged = resolved.query.before !== undefined;
    if (resolved.unknownUser) return reply.type(HTML).send(auditPage(page, { ...empty, paged, unknownUser: true, problems: [] }));
    const found = await deps.auditReader.search(resolved.filter, {
      limit: ADMIN_PAGE_SIZE + 1,
      ...(resolved.query.before ? { beforeSeq: Number(resolved.query.before) } : {}),
    });
    const events = found.slice(0, ADMIN_PAGE_SIZE);
    const older = found.length > ADMIN_PAGE_SIZE ? events[events.length - 1]!.seq : null;
    return reply.type(HTML).send(auditPage(page, { form, events, names: await namesOf(deps.users, events), older, paged, unknownUser: false, problems: [] }));
  });

  async function sendExport(request: FastifyRequest, reply: FastifyReply, format: ExportFormat) {
    const raw = withoutBlanks(request.query);
    const resolved = await resolve(raw);
    if (!resolved.ok) throw new AuthError('invalid_input', { detail: 'admin.error.bad_filter' });
    const { query } = resolved;
    const stamp = new Date(deps.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    reply.type(EXPORT_TYPES[format]).header('content-disposition', `attachment; filename="gatehouse-audit-${stamp}.${format}"`);
    // HEAD reads nothing: no export happens, none is recorded.
    if (request.method === 'HEAD') return reply.send('');
    await deps.audit.record(
      {
        type: 'audit.exported',
        outcome: 'success',
        targetUserId: resolved.filter.userId ?? null,
        details: { format, user: query.user ?? null, type: query.type ?? null, ip: query.ip ?? null, from: query.from ?? null, to: query.to ?? null },
      },
      auditContext(request),
    );
    const events = resolved.unknownUser ? (async function* nothing() {})() : deps.auditReader.stream(resolved.filter);
    const names = cachedNames(async (id) => (await deps.users.findUserById(id))?.username ?? null);
    return reply.send(Readable.from(exportLines(events, format, names)));
  }

  app.get('/admin/audit.csv', read, (request, reply) => sendExport(request, reply, 'csv'));
  app.get('/admin/audit.jsonl', read, (request, reply) => sendExport(request, reply, 'jsonl'));
}
