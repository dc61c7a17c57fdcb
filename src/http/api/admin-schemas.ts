/**
 * The admin API's schemas (zod: they validate, serialise only the fields written here, and
 * are the OpenAPI source) and the mappings from domain values to them. An account as an
 * administrator sees it never carries its password hash; an event names users by username
 * and keeps their ids (a deleted account stays an id).
 */
import { z } from 'zod';
import type { StoredAuditEvent } from '../../domain/audit/events.ts';
import { MAX_USER_ID, ROLES, type User } from '../../domain/users/user.ts';

const dateTime = (description: string) => z.string().meta({ format: 'date-time', description });

export const adminUserJson = z
  .object({
    id: z.number().int().min(1).max(MAX_USER_ID).describe('The numeric account id.'),
    username: z.string().describe('The username as registered (NFKC, trimmed).'),
    email: z.string().meta({ format: 'email', description: 'The email address (NFKC, trimmed).' }),
    role: z.enum(ROLES).describe('The account’s role.'),
    disabled: z.boolean().describe('True when the account may not sign in.'),
    emailVerified: z.boolean().describe('True once the address was confirmed.'),
    emailVerifiedAt: dateTime('When the address was confirmed (null: not yet).').nullable(),
    locale: z.string().nullable().describe('The account’s language for mail (`en`, `es`), or null when not chosen.'),
    createdAt: dateTime('When the account was created (ISO 8601, UTC).'),
  })
  .meta({ id: 'AdminUser', description: 'An account as an administrator sees it: never its password or hash.' });

export const auditEventJson = z
  .object({
    seq: z.number().int().describe('The event’s place in the tamper-evident chain: gap-free, newest highest.'),
    time: dateTime('When it happened (ISO 8601, UTC).'),
    type: z.string().describe('The stable event type, e.g. `login.failed` (README “Audit log”).'),
    outcome: z.enum(['success', 'failure']).describe('Whether the action succeeded.'),
    actor: z.string().nullable().describe('The username of who acted; null for a visitor, the CLI, the system, or an account deleted since.'),
    actorId: z.number().int().nullable().describe('The id of who acted (kept after the account is deleted).'),
    target: z.string().nullable().describe('The username of the account the event is about; null when none, or deleted since.'),
    targetId: z.number().int().nullable().describe('The id of the account the event is about.'),
    ip: z.string().nullable().describe('The client address of the request.'),
    userAgent: z.string().nullable().describe('The request’s User-Agent (at most 256 characters).'),
    channel: z.string().describe('Where the action came from: `web`, `api`, `cli` or `system`.'),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).describe('Small, flat facts of the event (never a secret), e.g. `reason` of a failed sign-in.'),
  })
  .meta({ id: 'AuditEvent', description: 'One security event of the audit log.' });

const sliceJson = z.object({
  start: dateTime('The start of the slice (UTC).'),
  succeeded: z.number().int().describe('Successful sign-ins.'),
  failed: z.number().int().describe('Failed sign-ins (wrong password, unknown account, disabled account, …).'),
  throttled: z.number().int().describe('Sign-in attempts refused by a throttle.'),
});

export const overviewJson = z.object({
  at: dateTime('When the figures were read.'),
  counts: z.object({
    users: z.number().int().describe('Accounts.'),
    unverified: z.number().int().describe('Accounts whose address is not confirmed.'),
    disabled: z.number().int().describe('Disabled accounts.'),
    admins: z.number().int().describe('Enabled accounts with the admin role.'),
    liveSessions: z.number().int().describe('Sessions not yet expired or idle.'),
  }),
  hourly: z.array(sliceJson).describe('Sign-in outcomes in the last 24 hours, one slice per UTC hour, oldest first.'),
  daily: z.array(sliceJson).describe('Sign-in outcomes in the last 30 days, one slice per UTC day, oldest first.'),
  failingIps: z.array(z.object({ ip: z.string(), count: z.number().int() })).describe('The client addresses with the most failed sign-ins in the last 24 hours.'),
  failingAccounts: z
    .array(z.object({ userId: z.number().int(), username: z.string().nullable(), count: z.number().int() }))
    .describe('The accounts with the most failed sign-ins in the last 24 hours (username null when deleted since).'),
});

export const usersJson = z.object({
  users: z.array(adminUserJson),
  next: z.string().nullable().describe('Pass as `cursor` (with the same sort and direction) for the next page; null on the last page.'),
});
export const userDetailJson = z.object({
  user: adminUserJson,
  liveSessions: z.number().int().describe('The account’s live sessions.'),
  events: z.array(auditEventJson).describe('Its 20 most recent security events, by it or about it, newest first.'),
});
export const auditJson = z.object({
  events: z.array(auditEventJson).describe('Newest first.'),
  next: z.string().nullable().describe('Pass as `before` for the older events; null when there are none.'),
});
export const userParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/)
    .refine((value) => Number(value) >= 1 && Number(value) <= MAX_USER_ID)
    .describe('The numeric account id.'),
});
export const roleBody = z.object({ role: z.enum(ROLES).describe('The new role.') }).strict().meta({ description: 'The new role. Unknown fields are refused.' });
export const sessionsEndedJson = z.object({ ended: z.number().int().describe('How many sessions were ended.') });

export function toAdminUserJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    disabled: user.disabled,
    emailVerified: user.emailVerifiedAt !== null,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    locale: user.locale,
    createdAt: user.createdAt.toISOString(),
  };
}

export function toEventJson(event: StoredAuditEvent, names: ReadonlyMap<number, string | null>) {
  const name = (id: number | null) => (id === null ? null : (names.get(id) ?? null));
  return {
    seq: event.seq,
    time: event.at.toISOString(),
    type: event.type,
    outcome: event.outcome === 'failure' ? ('failure' as const) : ('success' as const),
    actor: name(event.actorUserId),
    actorId: event.actorUserId,
    target: name(event.targetUserId),
    targetId: event.targetUserId,
    ip: event.ip,
    userAgent: event.userAgent,
    channel: event.channel,
    details: { ...event.details },
  };
}
