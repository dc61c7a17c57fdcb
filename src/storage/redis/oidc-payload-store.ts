/**
 * OidcPayloadStore on Redis (when REDIS_URL is set), same contract as sql/oidc-payload-store.ts,
 * so every instance sees one set of provider sessions, grants, codes and tokens.
 *
 * Layout under the client's key prefix (REDIS_KEY_PREFIX):
 *   oidc:p:<model>:<id>        hash {payload (JSON), exp (epoch ms), consumed (epoch s)},
 *                              expiring with the model (Redis drops it itself);
 *   oidc:uid:<model>:<uid>     the id of the model with that uid (provider sessions);
 *   oidc:uc:<model>:<code>     the id of the model with that user code (device flow);
 *   oidc:g:<grantId>           set of "<model>:<id>" issued under the grant;
 *   oidc:a:<accountId>         set of "<model>:<id>" of the subject (grants, sessions, tokens);
 *   oidc:c:<clientId>          set of "<model>:<id>" issued to the client.
 * Each write is one Lua script (atomic): the payload, its lookups and its index entries appear
 * together, and the index sets live as long as their longest member. Revocations are scripts
 * too, so a token saved while its grant is revoked is either revoked with it or not yet
 * indexed (and then refused by oidc-provider: its grant is gone). Members whose payload
 * expired are dropped from the sets when met. `exp` is also checked against the domain clock,
 * so a payload is never returned past its expiry even before Redis drops it.
 * The scripts reach keys named in sets (not declared in KEYS): a single Redis, not a cluster.
 */
import type { Redis } from 'ioredis';
import type { OidcPayload, OidcPayloadStore } from '../../domain/ports.ts';

const DEFAULT_LIFETIME_SECONDS = 14 * 86_400;

/**
 * KEYS: payload, uid lookup, user-code lookup, grant set, account set, client set.
 * ARGV: payload JSON, lifetime ms, exp ms, member, id, then "1"/"0" for each of KEYS[2..6].
 */
const UPSERT_SCRIPT = `
local ttl = tonumber(ARGV[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'payload', ARGV[1], 'exp', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ttl)
for i = 2, 3 do
  if ARGV[4 + i] == '1' then redis.call('SET', KEYS[i], ARGV[5], 'PX', ttl) end
end
for i = 4, 6 do
  if ARGV[4 + i] == '1' then
    redis.call('SADD', KEYS[i], ARGV[4])
    if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
return 1`;

/** Marks a payload consumed (epoch seconds) only if it exists and is not yet consumed. */
const CONSUME_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1])`;

/**
 * Deletes every member of the set KEYS[1] (and, with ARGV[2] set, the grants among them with
 * their own sets), then the set; ARGV[1] is the key prefix. Returns how many payloads went.
 */
const REVOKE_SET_SCRIPT = `
local prefix = ARGV[1]
local removed = 0
local function revokeSet(setKey, followGrants)
  local members = redis.call('SMEMBERS', setKey)
  for _, member in ipairs(members) do
    removed = removed + redis.call('DEL', prefix .. 'oidc:p:' .. member)
    if followGrants and string.sub(member, 1, 6) == 'Grant:' then
      revokeSet(prefix .. 'oidc:g:' .. string.sub(member, 7), false)
    end
  end
  redis.call('DEL', setKey)
end
revokeSet(KEYS[1], ARGV[2] == '1')
if KEYS[2] then removed = removed + redis.call('DEL', KEYS[2]) end
return removed`;

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function createRedisOidcPayloadStore(redis: Redis, now: () => number): OidcPayloadStore {
  const prefix = redis.options.keyPrefix ?? '';
  const payloadKey = (model: string, id: string) => `oidc:p:${model}:${id}`;
  const uidKey = (model: string, uid: string) => `oidc:uid:${model}:${uid}`;
  const userCodeKey = (model: string, code: string) => `oidc:uc:${model}:${code}`;
  const grantKey = (grantId: string) => `oidc:g:${grantId}`;
  const accountKey = (accountId: string) => `oidc:a:${accountId}`;
  const clientKey = (clientId: string) => `oidc:c:${clientId}`;

  function decode(fields: Record<string, string> | [string | null, string | null, string | null]): OidcPayload | undefined {
    const [json, exp, consumed] = Array.isArray(fields) ? fields : [fields.payload ?? null, fields.exp ?? null, fields.consumed ?? null];
    if (json === null || exp === null || Number(exp) <= now()) return undefined;
    const payload = JSON.parse(json) as OidcPayload;
    if (consumed !== null) payload.consumed = Number(consumed);
    return payload;
  }

  async function find(model: string, id: string): Promise<OidcPayload | undefined> {
    const fields = (await redis.hmget(payloadKey(model, id), 'payload', 'exp', 'consumed')) as [string | null, string | null, string | null];
    return decode(fields);
  }

  async function findVia(lookup: string, model: string): Promise<OidcPayload | undefined> {
    const id = await redis.get(lookup);
    return id === null ? undefined : find(model, id);
  }

  return {
    async upsert(model, id, payload, expiresInSeconds) {
      const lifetime = Number.isFinite(expiresInSeconds) && expiresInSeconds > 0 ? expiresInSeconds : DEFAULT_LIFETIME_SECONDS;
      const ttl = Math.max(1, Math.round(lifetime * 1000));
      const uid = text(payload.uid);
      const userCode = text(payload.userCode);
      const grantId = text(payload.grantId);
      const accountId = text(payload.accountId);
      const clientId = text(payload.clientId);
      // Absent index keys are named anyway (never written: their flag is 0).
      const unused = payloadKey(model, id);
      await redis.eval(
        UPSERT_SCRIPT,
        6,
        payloadKey(model, id),
        uid ? uidKey(model, uid) : unused,
        userCode ? userCodeKey(model, userCode) : unused,
        grantId ? grantKey(grantId) : unused,
        accountId ? accountKey(accountId) : unused,
        clientId ? clientKey(clientId) : unused,
        JSON.stringify(payload),
        String(ttl),
        String(now() + ttl),
        `${model}:${id}`,
        id,
        ...[uid, userCode, grantId, accountId, clientId].map((value) => (value ? '1' : '0')),
      );
    },
    find,
    findByUid: (model, uid) => findVia(uidKey(model, uid), model),
    findByUserCode: (model, userCode) => findVia(userCodeKey(model, userCode), model),
    async consume(model, id) {
      await redis.eval(CONSUME_SCRIPT, 1, payloadKey(model, id), String(Math.floor(now() / 1000)));
    },
    async destroy(model, id) {
      await redis.del(payloadKey(model, id));
    },
    async revokeByGrantId(grantId) {
      await redis.eval(REVOKE_SET_SCRIPT, 2, grantKey(grantId), payloadKey('Grant', grantId), prefix, '0');
    },
    async revokeByAccount(accountId) {
      return Number(await redis.eval(REVOKE_SET_SCRIPT, 1, accountKey(accountId), prefix, '1'));
    },
    async revokeByClient(clientId) {
      return Number(await redis.eval(REVOKE_SET_SCRIPT, 1, clientKey(clientId), prefix, '1'));
    },
    async listGrants(accountId) {
      const members = (await redis.smembers(accountKey(accountId))).filter((member) => member.startsWith('Grant:')).sort();
      if (members.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const member of members) pipeline.hmget(`oidc:p:${member}`, 'payload', 'exp', 'consumed');
      const results = (await pipeline.exec()) ?? [];
      const grants: Awaited<ReturnType<OidcPayloadStore['listGrants']>> = [];
      const gone: string[] = [];
      members.forEach((member, index) => {
        const [error, fields] = results[index] ?? [];
        const payload = error ? undefined : decode(fields as [string | null, string | null, string | null]);
        if (!payload) return void gone.push(member);
        const exp = Number((fields as string[])[1]);
        const openid = payload.openid as { scope?: unknown } | undefined;
        grants.push({
          grantId: member.slice('Grant:'.length),
          clientId: typeof payload.clientId === 'string' ? payload.clientId : '',
          scopes: (typeof openid?.scope === 'string' ? openid.scope : '').split(' ').filter(Boolean),
          createdAt: new Date(typeof payload.iat === 'number' ? payload.iat * 1000 : exp),
          expiresAt: new Date(exp),
        });
      });
      if (gone.length) await redis.srem(accountKey(accountId), ...gone);
      return grants;
    },
    async pruneExpired() {
      // Redis expires payloads and index sets itself; set members are dropped when met.
      return 0;
    },
  };
}
