import { parseArgs } from 'node:util';
import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import type { UserSearch } from '../../domain/ports.ts';
import { isRole, ROLES, type User } from '../../domain/users/user.ts';
import type { CommandRun } from '../command.ts';
import { CliError, type CliContext, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** Accounts listed when --limit is not given, and the most one run lists. */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** What `--json` prints for each account: the fields of the table, never a hash or token. */
function toJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    role: user.role,
    emailVerified: user.emailVerifiedAt !== null,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
  };
}

function printTable(io: Parameters<CommandRun>[1], context: CliContext, users: readonly User[]): void {
  const yesNo = (value: boolean) => say(context, value ? 'cli.list_users.yes' : 'cli.list_users.no');
  const rows = users.map((user) => [String(user.id), user.username, user.email, user.role, yesNo(user.emailVerifiedAt !== null), yesNo(user.disabled), user.createdAt.toISOString()]);
  const header = say(context, 'cli.list_users.header').split(/ {2}/);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIST_LIMIT;
  const limit = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIST_LIMIT)) throw new CliError({ key: 'cli.list_users.bad_limit', params: { limit: text, max: MAX_LIST_LIMIT } }, 2);
  return limit;
}

/**
 * `gatehouse list-users [--query PREFIX] [--role user|admin] [--disabled] [--unverified]
 * [--limit N] [--json]`: accounts, oldest first. `--query` matches the start of the username
 * or the email address (normalised, so case does not matter; `%` and `_` are plain text).
 * Humans get a table; `--json` prints one JSON array of
 * `{id, username, email, role, emailVerified, disabled, createdAt}` on stdout (nothing else
 * there: the "more match" note goes to stderr). Each run is recorded as `users.listed` with
 * the count and the filters used (not the query text, which may be part of an address).
 */
export const listUsers: CommandRun = async (args, io, context) => {
  const { values } = parseArgs({
    args,
    options: {
      query: { type: 'string', short: 'q' },
      role: { type: 'string' },
      disabled: { type: 'boolean' },
      unverified: { type: 'boolean' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const { role } = values;
  if (role !== undefined && !isRole(role)) throw new CliError({ key: 'cli.list_users.bad_role', params: { role, roles: ROLES.join(', ') } }, 2);
  const limit = parseLimit(values.limit);
  const search: Omit<UserSearch, 'limit' | 'after'> = {
    ...(values.query ? { prefix: values.query } : {}),
    ...(role ? { role } : {}),
    ...(values.disabled ? { disabled: true } : {}),
    ...(values.unverified ? { verified: false } : {}),
    sort: 'created',
    direction: 'asc',
  };
  return withServices(readConfig(context), async (deps) => {
    const users: User[] = [];
    let after: string | undefined;
    let more = false;
    // Page by page (the directory caps a page) until the limit or the end.
    do {
      const page = await deps.userDirectory.search({ ...search, limit: limit - users.length, ...(after ? { after } : {}) });
      users.push(...page.users);
      after = page.next ?? undefined;
      more = page.next !== null;
    } while (after && users.length < limit);
    await deps.audit.record(
      {
        type: 'users.listed',
        outcome: 'success',
        targetUserId: null,
        details: { count: users.length, prefix: Boolean(values.query), role: role ?? null, disabled: values.disabled === true, unverified: values.unverified === true },
      },
      CLI_CONTEXT,
    );
    if (values.json) io.out(JSON.stringify(users.map(toJson)));
    else if (users.length === 0) io.out(say(context, 'cli.list_users.empty'));
    else printTable(io, context, users);
    if (more) io.err(say(context, 'cli.list_users.more'));
    return 0;
  });
};
