/**
 * What the session store holds, read the same way whichever backend holds it: the SQL
 * `sessions` table, or the Redis hashes `<prefix>s:<idHash>`. Tests use it to check that
 * only token hashes are stored, that rows die, and to age a session.
 */
import { sha256Hex } from '../../src/domain/crypto.ts';
import type { TestServer } from './server.ts';

export interface StoredSession {
  idHash: string;
  userId: number;
  expiresAt: number;
  lastSeenAt: number;
  /** Every stored field as text, to search for a leaked raw token. */
  raw: string;
}

export async function storedSessions(server: TestServer): Promise<StoredSession[]> {
  const redis = server.deps.redis;
  if (!redis) {
    const rows = await server.deps.database.db.selectFrom('sessions').selectAll().execute();
    return rows.map((row) => ({
      idHash: row.id_hash,
      userId: Number(row.user_id),
      expiresAt: Number(row.expires_at),
      lastSeenAt: Number(row.last_seen_at),
      raw: JSON.stringify(row),
    }));
  }
  // SCAN patterns are not prefixed by ioredis, commands are: match with the prefix, strip it.
  const prefix = server.config.redisKeyPrefix;
  const sessions: StoredSession[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}s:*`, 'COUNT', 1000);
    for (const key of keys) {
      const unprefixed = key.slice(prefix.length);
      const fields = await redis.hgetall(unprefixed);
      if (!fields.userId) continue;
      sessions.push({
        idHash: unprefixed.slice(2),
        userId: Number(fields.userId),
        expiresAt: Number(fields.expiresAt),
        lastSeenAt: Number(fields.lastSeenAt),
        raw: `${key} ${JSON.stringify(fields)}`,
      });
    }
    cursor = next;
  } while (cursor !== '0');
  return sessions;
}

export async function storedSessionFor(server: TestServer, token: string): Promise<StoredSession | undefined> {
  const idHash = sha256Hex(token);
  return (await storedSessions(server)).find((session) => session.idHash === idHash);
}

/** Moves a stored session's expiry or last-seen instant (epoch ms), on either backend. */
export async function setSessionTimes(server: TestServer, token: string, times: { expiresAt?: number; lastSeenAt?: number }): Promise<void> {
  const idHash = sha256Hex(token);
  const redis = server.deps.redis;
  if (redis) {
    const fields: Record<string, number> = {};
    if (times.expiresAt !== undefined) fields.expiresAt = times.expiresAt;
    if (times.lastSeenAt !== undefined) fields.lastSeenAt = times.lastSeenAt;
    await redis.hset(`s:${idHash}`, fields);
    return;
  }
  await server.deps.database.db
    .updateTable('sessions')
    .set({
      ...(times.expiresAt !== undefined ? { expires_at: times.expiresAt } : {}),
      ...(times.lastSeenAt !== undefined ? { last_seen_at: times.lastSeenAt } : {}),
    })
    .where('id_hash', '=', idHash)
    .execute();
}
