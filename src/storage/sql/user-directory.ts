/**
 * UserDirectory on Kysely (issue #11): the admin console's user search, sorted by username
 * or creation time in either direction, keyset-paginated, and the headline counts.
 *
 * Prefix search is a range on the normalised columns, `col >= p AND col < next(p)` where
 * `next(p)` is `p` with its last code point incremented: exactly the strings that start with
 * `p` in code-point order, answered from the index (no LIKE, so `%`, `_` and regex
 * metacharacters typed into the search box are plain text: v5.0.0-1.2.9). Code-point order is
 * what SQLite (BINARY) and the MySQL identity columns (utf8mb4_bin) compare in; PostgreSQL
 * compares under the "C" collation through the indexes of migration 0011.
 *
 * A prefix is looked up as two reads, one per column's range, merged here (see `search`).
 *
 * Keyset pagination: `next` is an opaque cursor holding the last row's sort key (and id for
 * creation time, where ties are possible); the next page starts strictly after it, so rows
 * are never skipped or repeated however deep the page, and each page costs one index range
 * read (no OFFSET). A cursor that does not decode, or that belongs to another sort, is
 * `invalid_input` (400), never a failed query.
 */
import { Buffer } from 'node:buffer';
import { type Expression, type Kysely, MysqlAdapter, PostgresAdapter, sql } from 'kysely';
import { z } from 'zod';
import { AuthError } from '../../domain/errors.ts';
import type { UserDirectory, UserSearch } from '../../domain/ports.ts';
import { normalizeEmail, normalizeUsername } from '../../domain/users/user.ts';
import type { Database } from '../database.ts';
import { toUser } from './rows.ts';
import { PUBLIC_USER_COLUMNS } from './user-store.ts';

/** Largest page served; a caller asking for more gets this many. */
export const MAX_DIRECTORY_PAGE = 200;
/** Longest cursor accepted (a username cursor is under 400 characters). */
const MAX_CURSOR_LENGTH = 600;

const cursorSchema = z.discriminatedUnion('s', [
  z.strictObject({ s: z.literal('username'), d: z.enum(['asc', 'desc']), k: z.string().max(254) }),
  z.strictObject({ s: z.literal('created'), d: z.enum(['asc', 'desc']), k: z.number().int().nonnegative(), i: z.number().int().positive() }),
]);
type Cursor = z.infer<typeof cursorSchema>;

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** The cursor, checked against the search it is used with; throws `invalid_input` otherwise. */
function decodeCursor(text: string, query: UserSearch): Cursor {
  const refuse = () => new AuthError('invalid_input', { detail: 'admin.error.bad_cursor' });
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success || result.data.s !== query.sort || result.data.d !== query.direction) throw refuse();
  return result.data;
}

/**
 * The least string greater than every string starting with `prefix`, in code-point order:
 * the last code point incremented (skipping the surrogate range), or, when it is already the
 * largest, the same for the prefix without it. Undefined when there is no bound at all.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

export function createSqlUserDirectory(db: Kysely<Database>): UserDirectory {
  const adapter = db.getExecutor().adapter;
  const postgres = adapter instanceof PostgresAdapter;
  const mysql = adapter instanceof MysqlAdapter;
  // The column as the range and the order compare it (see the header).
  const ordered = (column: 'username_normalized' | 'email_normalized'): Expression<string> =>
    postgres ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;
  const username = ordered('username_normalized');
  // The same order as `username` through an expression no index covers: for the read by email
  // range, so the planner takes the email index and sorts its matches instead of walking the
  // username index from the start in the hope of meeting them early (it guessed so, and read
  // 66 000 rows of 100 000 for `ma`: addresses are made from names, which it cannot know).
  const usernameUnindexed = mysql
    ? sql<string>`concat(username_normalized, '')`
    : postgres
      ? sql<string>`(username_normalized collate "C") || ''`
      : sql<string>`username_normalized || ''`;

  return {
    async search(query) {
      const limit = Math.max(1, Math.min(MAX_DIRECTORY_PAGE, Math.floor(query.limit)));
      const after = query.after ? decodeCursor(query.after, query) : undefined;
      const ascending = query.direction === 'asc';
      const beyond = ascending ? '>' : '<';

      /** One ordered, limited read: the filters, the keyset, and at most one prefix range. */
      function read(range?: { column: Expression<string>; prefix: string; orderBy: Expression<string> }) {
        let select = db.selectFrom('users').select([...PUBLIC_USER_COLUMNS, 'username_normalized']);
        if (range) {
          const upper = prefixUpperBound(range.prefix);
          select = select.where(range.column, '>=', range.prefix);
          if (upper !== undefined) select = select.where(range.column, '<', upper);
        }
        if (query.role !== undefined) select = select.where('role', '=', query.role);
        if (query.disabled !== undefined) select = select.where('disabled', '=', query.disabled ? 1 : 0);
        if (query.verified !== undefined) select = select.where('email_verified_at', query.verified ? 'is not' : 'is', null);
        if (query.sort === 'username') {
          if (after?.s === 'username') select = select.where(username, beyond, after.k);
          select = select.orderBy(range?.orderBy ?? username, query.direction);
        } else {
          if (after?.s === 'created') {
            // The leading column as a plain range (so every planner uses the index), ties by id.
            const { k, i } = after;
            select = select.where('created_at', ascending ? '>=' : '<=', k).where((eb) => eb.or([eb('created_at', beyond, k), eb('id', beyond, i)]));
          }
          select = select.orderBy('created_at', query.direction).orderBy('id', query.direction);
        }
        return select.limit(limit + 1).execute();
      }

      // A username range OR an email range would make PostgreSQL walk the whole sort index
      // and filter (measured: 45 ms at 100 000 accounts); two reads, each on its own index and
      // limited, then merged here, cost two index ranges (the same page: the first limit+1 of
      // the union are among the first limit+1 of each).
      const prefix = query.prefix ?? '';
      const ranges = [
        { column: username, prefix: normalizeUsername(prefix), orderBy: username },
        { column: ordered('email_normalized'), prefix: normalizeEmail(prefix), orderBy: usernameUnindexed },
      ].filter((range) => range.prefix !== '');
      type Row = Awaited<ReturnType<typeof read>>[number];
      let rows: Row[];
      if (ranges.length === 0) rows = await read();
      else {
        const byId = new Map<number, Row>();
        for (const row of (await Promise.all(ranges.map((range) => read(range)))).flat()) byId.set(Number(row.id), row);
        // UTF-8 byte order is code-point order, the order the database compared in.
        const order = (a: Row, b: Row) =>
          query.sort === 'username'
            ? Buffer.compare(Buffer.from(a.username_normalized), Buffer.from(b.username_normalized))
            : Number(a.created_at) - Number(b.created_at) || Number(a.id) - Number(b.id);
        rows = [...byId.values()].sort((a, b) => (ascending ? order(a, b) : order(b, a))).slice(0, limit + 1);
      }

      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const next =
        rows.length > limit && last
          ? encodeCursor(
              query.sort === 'username'
                ? { s: 'username', d: query.direction, k: last.username_normalized }
                : { s: 'created', d: query.direction, k: Number(last.created_at), i: Number(last.id) },
            )
          : null;
      return { users: page.map(toUser), next };
    },

    async counts() {
      // One pass over the table; SUM is a string on PostgreSQL and MySQL, null on no rows.
      const row = await db
        .selectFrom('users')
        .select((eb) => [
          eb.fn.countAll().as('users'),
          eb.fn.sum(eb.case().when('email_verified_at', 'is', null).then(1).else(0).end()).as('unverified'),
          eb.fn.sum('disabled').as('disabled'),
          eb.fn.sum(eb.case().when(eb.and([eb('role', '=', 'admin'), eb('disabled', '=', 0)])).then(1).else(0).end()).as('admins'),
        ])
        .executeTakeFirst();
      return {
        users: Number(row?.users ?? 0),
        unverified: Number(row?.unverified ?? 0),
        disabled: Number(row?.disabled ?? 0),
        admins: Number(row?.admins ?? 0),
      };
    },
  };
}
