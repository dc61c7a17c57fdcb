/**
 * SessionStore on Redis, same contract as sql/session-store.ts, so several instances share
 * sessions and a revocation applies on every instance at the next request (no local cache).
 *
 * Layout under the client's key prefix:
 *   s:<idHash>  hash {userId, createdAt, lastSeenAt, expiresAt, ip, userAgent,
 *               credentialVersion, publicId, reauthenticatedAt}, expiring at
 *               the first of the absolute expiry and the idle expiry (Redis drops it itself);
 *   p:<proxyTokenHash>  the idHash of the session a forward-auth proxy token belongs to,
 *               expiring with the session's absolute expiry; it counts only while that
 *               session exists and still names this hash (`proxyTokenHash`), so the proxy
 *               cookie dies with its session and is voided by a newer one;
 *   u:<userId>  set of the user's idHashes, for "end every session of this user" and the
 *               sessions page (members whose hash expired are pruned when listed).
 * The user is read from SQL, the source of truth, by primary key: one Redis round trip
 * plus one indexed read per request. Store failures become `service_unavailable` (503).
 */
import type { Redis } from 'ioredis';
import { AuthError } from '../../domain/errors.ts';
import type { SessionStore, UserStore } from '../../domain/ports.ts';
import { newPublicId, type Session } from '../../domain/sessions/session.ts';

/** Sets lastSeenAt and re-arms expiry, only if the session still exists (never resurrects). */
const TOUCH_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[1])
local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
local idleExpiry = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('PEXPIREAT', KEYS[1], math.min(expiresAt, idleExpiry))
return 1`;

/** Sets the session's credential version only if the session still exists (never resurrects). */
const REBIND_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'credentialVersion', ARGV[1])
return 1`;

/** Links a new proxy token to the session only if it still exists (never resurrects). */
const PROXY_TOKEN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'proxyTokenHash', ARGV[1])
redis.call('SET', KEYS[2], ARGV[2], 'PXAT', redis.call('HGET', KEYS[1], 'expiresAt'))
return 1`;

/** Records a /sudo confirmation only if the session still exists (never resurrects). */
const REAUTHENTICATED_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'reauthenticatedAt', ARGV[1])
return 1`;

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw new AuthError('service_unavailable', { retryAfterSeconds: 5 });
  }
}

export function createRedisSessionStore(redis: Redis, users: UserStore, rules: { idleTimeoutSeconds: number; absoluteLifetimeSeconds: number }): SessionStore {
  const idleMs = rules.idleTimeoutSeconds * 1000;
  const sessionKey = (idHash: string) => `s:${idHash}`;
  const userKey = (userId: number) => `u:${userId}`;
  const proxyKey = (proxyTokenHash: string) => `p:${proxyTokenHash}`;

  function toSession(idHash: string, fields: Record<string, string>): Session | undefined {
    if (!fields.userId) return undefined;
    return {
      idHash,
      userId: Number(fields.userId),
      createdAt: new Date(Number(fields.createdAt)),
      lastSeenAt: new Date(Number(fields.lastSeenAt)),
      expiresAt: new Date(Number(fields.expiresAt)),
      ip: fields.ip ?? '',
      userAgent: fields.userAgent ?? '',
      // Absent only on sessions made before credential versions existed (version 0 then).
      credentialVersion: Number(fields.credentialVersion ?? 0),
      ...(fields.publicId ? { publicId: fields.publicId } : {}),
      reauthenticatedAt: fields.reauthenticatedAt ? new Date(Number(fields.reauthenticatedAt)) : null,
      authMethods: fields.authMethods ? fields.authMethods.split(' ') : ['pwd'],
      ...(fields.proxyTokenHash ? { proxyTokenHash: fields.proxyTokenHash } : {}),
    };
  }

  /** The user's sessions still held, pruning set members whose hash Redis expired. */
  async function sessionsOf(userId: number): Promise<Session[]> {
    const idHashes = await redis.smembers(userKey(userId));
    if (idHashes.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const idHash of idHashes) pipeline.hgetall(sessionKey(idHash));
    const replies = (await pipeline.exec()) ?? [];
    const sessions: Session[] = [];
    const gone: string[] = [];
    idHashes.forEach((idHash, index) => {
      const [error, fields] = replies[index] ?? [];
      if (error) throw error;
      const session = toSession(idHash, (fields ?? {}) as Record<string, string>);
      if (session && session.userId === userId) sessions.push(session);
      else gone.push(idHash);
    });
    if (gone.length > 0) await redis.srem(userKey(userId), ...gone);
    return sessions;
  }

  return {
    createSession: (session) =>
      guarded(async () => {
        const expiry = Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + idleMs);
        const transaction = redis.multi();
        if (session.proxyTokenHash) transaction.set(proxyKey(session.proxyTokenHash), session.idHash, 'PXAT', session.expiresAt.getTime());
        await transaction
          .hset(sessionKey(session.idHash), {
            userId: session.userId,
            createdAt: session.createdAt.getTime(),
            lastSeenAt: session.lastSeenAt.getTime(),
            expiresAt: session.expiresAt.getTime(),
            ip: session.ip,
            userAgent: session.userAgent,
            credentialVersion: session.credentialVersion,
            publicId: session.publicId ?? newPublicId(),
            authMethods: (session.authMethods ?? ['pwd']).join(' '),
            ...(session.proxyTokenHash ? { proxyTokenHash: session.proxyTokenHash } : {}),
          })
          .pexpireat(sessionKey(session.idHash), expiry)
          .sadd(userKey(session.userId), session.idHash)
          .pexpire(userKey(session.userId), rules.absoluteLifetimeSeconds * 1000)
          .exec();
      }),

    findSessionAndUser: (idHash) =>
      guarded(async () => {
        const session = toSession(idHash, await redis.hgetall(sessionKey(idHash)));
        if (!session) return undefined;
        const user = await users.findUserById(session.userId);
        return user ? { session, user } : undefined;
      }),

    findSessionAndUserByProxyHash: (proxyTokenHash) =>
      guarded(async () => {
        const idHash = await redis.get(proxyKey(proxyTokenHash));
        if (!idHash) return undefined;
        const session = toSession(idHash, await redis.hgetall(sessionKey(idHash)));
        if (!session || session.proxyTokenHash !== proxyTokenHash) return undefined;
        const user = await users.findUserById(session.userId);
        return user ? { session, user } : undefined;
      }),

    setProxyTokenHash: (idHash, proxyTokenHash) =>
      guarded(async () => Number(await redis.eval(PROXY_TOKEN_SCRIPT, 2, sessionKey(idHash), proxyKey(proxyTokenHash), proxyTokenHash, idHash)) === 1),

    touchSession: (idHash, lastSeenAt) =>
      guarded(async () => {
        await redis.eval(TOUCH_SCRIPT, 1, sessionKey(idHash), String(lastSeenAt.getTime()), String(idleMs));
      }),

    setCredentialVersion: (idHash, credentialVersion) =>
      guarded(async () => {
        await redis.eval(REBIND_SCRIPT, 1, sessionKey(idHash), String(credentialVersion));
      }),
    markReauthenticated: (idHash, at) =>
      guarded(async () => {
        await redis.eval(REAUTHENTICATED_SCRIPT, 1, sessionKey(idHash), String(at.getTime()));
      }),
    deleteSession: (idHash) =>
      guarded(async () => {
        const userId = await redis.hget(sessionKey(idHash), 'userId');
        const pipeline = redis.multi().del(sessionKey(idHash));
        if (userId) pipeline.srem(userKey(Number(userId)), idHash);
        await pipeline.exec();
      }),

    deleteSessionsForUser: (userId, exceptIdHash) =>
      guarded(async () => {
        const idHashes = (await redis.smembers(userKey(userId))).filter((id) => id !== exceptIdHash);
        if (idHashes.length === 0) return 0;
        const deleted = await redis.del(...idHashes.map(sessionKey));
        await redis.srem(userKey(userId), ...idHashes);
        return deleted;
      }),

    listSessionsForUser: (userId) => guarded(() => sessionsOf(userId)),

    deleteSessionByPublicId: (userId, publicId) =>
      guarded(async () => {
        // Only the user's own set is searched: another user's public id is not found here.
        const session = (await sessionsOf(userId)).find((candidate) => candidate.publicId === publicId);
        if (!session) return false;
        const [[, deleted] = []] = (await redis.multi().del(sessionKey(session.idHash)).srem(userKey(userId), session.idHash).exec()) ?? [];
        return Number(deleted) > 0;
      }),

    // Redis expires sessions by itself (PEXPIREAT); nothing to sweep.
    deleteExpiredSessions: async () => 0,

    // A session key exists only while live (it expires at the first of its absolute and idle
    // expiry), so the count is the number of `s:` keys. SCAN walks them in steps without
    // blocking the server (KEYS would) and may return a key twice, hence the set; its MATCH
    // pattern is not prefixed by ioredis's `keyPrefix`, so the prefix is added here, glob
    // characters escaped.
    countLiveSessions: () =>
      guarded(async () => {
        const prefix = (redis.options.keyPrefix ?? '').replace(/[*?[\]\\]/g, '\\$&');
        const seen = new Set<string>();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}s:*`, 'COUNT', 1000);
          for (const key of keys) seen.add(key);
          cursor = next;
        } while (cursor !== '0');
        return seen.size;
      }),
  };
}
