/**
 * The admin console's query strings, for its pages and its API alike: the user search
 * (prefix, role, state, sort, direction, cursor) and the audit filter (username, event type,
 * IP, time range, keyset). Positive validation (v5.0.0-2.2.1): each parameter is one string
 * of bounded length and known shape (a repeated one arrives as an array and fails, v5.0.0-15.3.7),
 * enums are closed lists, a cursor is base64url (its content is the directory's to check).
 *
 * Times: `from` and `to` take a date (`2025-06-01`) or a `datetime-local` value
 * (`2025-06-01T14:30`, seconds optional), read as UTC, the zone every admin page shows.
 * `from` is inclusive; `to` includes what it names: the whole day for a date, the whole
 * minute (or second) for a time. So `from=2025-06-01&to=2025-06-01` is that one day.
 */
import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../domain/audit/events.ts';
import type { AuditFilter, UserSearch } from '../domain/ports.ts';
import { ROLES } from '../domain/users/user.ts';
import { formatMessage, type Locale, type MessageKey } from '../messages/catalog.ts';

/** Rows per page of the admin lists, unless the API asks for another count. */
export const ADMIN_PAGE_SIZE = 50;
export const ADMIN_MAX_PAGE = 200;

const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** The instant a `from`/`to` value names, and the end of what it names; undefined when not a real time. */
export function parseAdminTime(value: string): { start: Date; end: Date } | undefined {
  const match = TIME_PATTERN.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const start = new Date(Date.UTC(year!, month! - 1, day!, hour ?? 0, minute ?? 0, second ?? 0));
  // Date.UTC rolls 2025-02-30 over into March: a time that does not exist is refused.
  const fields = [start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()];
  if (fields.some((field, index) => [year, month, day, hour ?? 0, minute ?? 0, second ?? 0][index] !== field)) return undefined;
  const span = hour === undefined ? 86_400_000 : second === undefined ? 60_000 : 1000;
  return { start, end: new Date(start.getTime() + span) };
}

const adminTime = z
  .string()
  .max(19)
  .refine((value) => parseAdminTime(value) !== undefined, 'invalid')
  .meta({ description: 'A UTC date (`YYYY-MM-DD`) or time (`YYYY-MM-DDTHH:MM`, seconds optional).', examples: ['2025-06-01', '2025-06-01T14:30'] });

const pageLimit = z
  .string()
  .regex(/^\d{1,3}$/, 'invalid')
  .refine((value) => Number(value) >= 1 && Number(value) <= ADMIN_MAX_PAGE, 'invalid')
  .meta({ description: `Rows per page, 1 to ${ADMIN_MAX_PAGE} (default ${ADMIN_PAGE_SIZE}).` });

export const userSearchQuery = z.object({
  q: z.string().max(254).optional().describe('Username or email prefix, compared in normalised form (case-insensitive); empty: everyone.'),
  role: z.enum(ROLES).optional().describe('Only accounts with this role.'),
  state: z.enum(['disabled', 'unverified', 'verified']).optional().describe('Only disabled accounts, or accounts whose address is (un)confirmed.'),
  sort: z.enum(['username', 'created']).optional().describe('Sort key (default `username`).'),
  direction: z.enum(['asc', 'desc']).optional().describe('Sort direction (default `asc`).'),
  cursor: z
    .string()
    .max(600)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional()
    .describe('The `next` of the previous page (opaque; valid only with the same sort and direction).'),
  limit: pageLimit.optional(),
});
export type UserSearchQuery = z.infer<typeof userSearchQuery>;

export const auditQuery = z.object({
  user: z.string().max(64).optional().describe('Events by or about the account with this username.'),
  type: z.enum(AUDIT_EVENT_TYPES).optional().describe('Only events of this type.'),
  ip: z.string().max(64).optional().describe('Only events from this client address (exact).'),
  from: adminTime.optional(),
  to: adminTime.optional(),
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'invalid')
    .optional()
    .describe('Keyset: only events older than this `seq` (the `next` of the previous page).'),
  limit: pageLimit.optional(),
});
export type AuditQuery = z.infer<typeof auditQuery>;

/** The query with empty values dropped (a GET form sends every field, blank ones as ''). */
export function withoutBlanks(query: unknown): Record<string, unknown> {
  if (!query || typeof query !== 'object') return {};
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

export function toUserSearch(query: UserSearchQuery): UserSearch {
  return {
    ...(query.q ? { prefix: query.q } : {}),
    ...(query.role ? { role: query.role } : {}),
    ...(query.state === 'disabled' ? { disabled: true } : {}),
    ...(query.state === 'unverified' || query.state === 'verified' ? { verified: query.state === 'verified' } : {}),
    sort: query.sort ?? 'username',
    direction: query.direction ?? 'asc',
    ...(query.cursor ? { after: query.cursor } : {}),
    limit: query.limit ? Number(query.limit) : ADMIN_PAGE_SIZE,
  };
}

/** The filter without its user (resolved by the caller from the username), or the fields that are wrong. */
export function toAuditFilter(query: AuditQuery): { ok: true; filter: Omit<AuditFilter, 'userId'> } | { ok: false; fields: string[] } {
  const from = query.from ? parseAdminTime(query.from)!.start : undefined;
  const to = query.to ? parseAdminTime(query.to)!.end : undefined;
  if (from && to && from.getTime() >= to.getTime()) return { ok: false, fields: ['to'] };
  return {
    ok: true,
    filter: {
      ...(query.type ? { type: query.type } : {}),
      ...(query.ip ? { ip: query.ip } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    },
  };
}

const PROBLEM_KEYS: Readonly<Record<string, MessageKey>> = {
  q: 'admin.problem.q',
  role: 'admin.problem.role',
  state: 'admin.problem.state',
  sort: 'admin.problem.sort',
  direction: 'admin.problem.direction',
  cursor: 'admin.error.bad_cursor',
  limit: 'admin.problem.limit',
  user: 'admin.problem.user',
  type: 'admin.problem.type',
  ip: 'admin.problem.ip',
  from: 'admin.problem.from',
  to: 'admin.problem.to',
  before: 'admin.problem.before',
};

/** One sentence per wrong field, for the page's error summary; unknown fields are ignored (`lang`). */
export function queryProblems(fields: readonly string[], locale: Locale): { field: string; message: string }[] {
  const known = [...new Set(fields)].filter((field) => Object.hasOwn(PROBLEM_KEYS, field));
  return known.map((field) => ({ field, message: formatMessage(PROBLEM_KEYS[field]!, {}, locale) }));
}

/** The fields a failed parse names. */
export function issueFields(error: z.ZodError): string[] {
  return error.issues.map((issue) => String(issue.path[0] ?? ''));
}
