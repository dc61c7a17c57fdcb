/**
 * Audit events name users by id only (domain/audit/events.ts); people read usernames. These
 * turn the ids of a page of events, or of a streamed export, into usernames: null for an id
 * whose account was deleted since (the event stays a pseudonymous record).
 */
import type { StoredAuditEvent } from '../domain/audit/events.ts';
import type { UserStore } from '../domain/ports.ts';

/** Resolves a user id to its username (null once the account is gone). */
export type NameLookup = (id: number) => Promise<string | null>;

/** The usernames of every id `events` name, each looked up once. */
export async function namesOf(users: Pick<UserStore, 'usernamesByIds'>, events: readonly StoredAuditEvent[]): Promise<ReadonlyMap<number, string | null>> {
  const ids = new Set<number>();
  for (const event of events) {
    if (event.actorUserId !== null) ids.add(event.actorUserId);
    if (event.targetUserId !== null) ids.add(event.targetUserId);
  }
  // One read for the page (it was one per id: 3–6 ms of a PostgreSQL audit page, S1 in bench/).
  const found = await users.usernamesByIds([...ids]);
  return new Map([...ids].map((id) => [id, found.get(id) ?? null]));
}

/**
 * A lookup that asks `find` once per id, for exports: it remembers at most `limit` answers
 * (then starts afresh), so a long export's memory stays bounded.
 */
export function cachedNames(find: (id: number) => Promise<string | null>, limit = 10_000): NameLookup {
  let cache = new Map<number, string | null>();
  return async (id) => {
    if (cache.has(id)) return cache.get(id)!;
    if (cache.size >= limit) cache = new Map();
    const name = await find(id);
    cache.set(id, name);
    return name;
  };
}
