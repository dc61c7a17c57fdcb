/**
 * What ties the OpenID Connect provider to Gatehouse's own sign-in (issue #13: "Signing out
 * of Gatehouse ends the provider's session and grants too; disabling a user or changing
 * their password revokes their tokens").
 *
 * - Each grant the provider's interaction makes, and the provider session it was made in,
 *   is recorded against the Gatehouse session that approved it (one `GatehouseSessionLink`
 *   payload per Gatehouse session, named by its public id, living as long as that session
 *   can). Signing that session out (sign-out, revoking it on /settings/sessions or the API,
 *   a new sign-in replacing it) revokes those grants, with every code and token issued under
 *   them, and destroys those provider sessions.
 * - Ending every session of a user (disable from the console or the CLI, password change or
 *   reset, "this wasn't me", revoke all) revokes everything the provider issued to that user
 *   (`revokeByAccount`), whichever session made it (v5.0.0-7.4.1, v5.0.0-7.4.2).
 * - Deleting an account removes its subject with the row, so the deletions read the subject
 *   first (`OidcUserRevocation.prepare`) and revoke by it once the row is gone; their tokens
 *   stop at once anyway, because the provider reads the account on every use (findAccount).
 * `withOidcSignOut` wraps the session service so every caller gets this without knowing
 * about OpenID Connect; the provider's own check (src/http/oidc/provider.ts) also refuses a
 * provider session whose Gatehouse session is gone, so a failed revocation cannot leave a
 * way in.
 */
import { sha256Hex } from '../crypto.ts';
import type { OidcPayloadStore, OidcSubjectStore, SessionStore } from '../ports.ts';
import type { SessionService } from '../sessions/session-service.ts';

export const SESSION_LINK_MODEL = 'GatehouseSessionLink';

/** At most this many grants and provider sessions are remembered per Gatehouse session (oldest dropped). */
const MAX_LINKED = 100;

interface SessionLinkPayload {
  accountId: string;
  grantIds: string[];
  sessionUids: string[];
}

export interface OidcSessionLinks {
  /** Records that the Gatehouse session `publicId` approved `grantId` in the provider session `providerSessionUid`. */
  link(publicId: string, entry: { accountId: string; grantId?: string; providerSessionUid?: string }, lifetimeSeconds: number): Promise<void>;
  /** Whether the Gatehouse session `publicId` made the provider session `providerSessionUid`. */
  madeSession(publicId: string, providerSessionUid: string): Promise<boolean>;
  /** Revokes what the Gatehouse session `publicId` approved and destroys its provider sessions. */
  endFor(publicId: string): Promise<void>;
}

function addBounded(list: string[], value: string | undefined): string[] {
  if (value === undefined || list.includes(value)) return list;
  return [...list, value].slice(-MAX_LINKED);
}

function readLink(payload: Record<string, unknown> | undefined): SessionLinkPayload | undefined {
  if (!payload || typeof payload.accountId !== 'string') return undefined;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
  return { accountId: payload.accountId, grantIds: strings(payload.grantIds), sessionUids: strings(payload.sessionUids) };
}

export function createOidcSessionLinks(payloads: OidcPayloadStore): OidcSessionLinks {
  return {
    async link(publicId, entry, lifetimeSeconds) {
      const found = readLink(await payloads.find(SESSION_LINK_MODEL, publicId));
      const base = found && found.accountId === entry.accountId ? found : { accountId: entry.accountId, grantIds: [], sessionUids: [] };
      const next: SessionLinkPayload = {
        accountId: entry.accountId,
        grantIds: addBounded(base.grantIds, entry.grantId),
        sessionUids: addBounded(base.sessionUids, entry.providerSessionUid),
      };
      await payloads.upsert(SESSION_LINK_MODEL, publicId, { ...next }, Math.max(60, Math.ceil(lifetimeSeconds)));
    },

    async madeSession(publicId, providerSessionUid) {
      const found = readLink(await payloads.find(SESSION_LINK_MODEL, publicId));
      return found !== undefined && found.sessionUids.includes(providerSessionUid);
    },

    async endFor(publicId) {
      const found = readLink(await payloads.find(SESSION_LINK_MODEL, publicId));
      if (!found) return;
      for (const grantId of found.grantIds) await payloads.revokeByGrantId(grantId);
      for (const uid of found.sessionUids) {
        const session = await payloads.findByUid('Session', uid);
        if (session && typeof session.jti === 'string') await payloads.destroy('Session', session.jti);
      }
      await payloads.destroy(SESSION_LINK_MODEL, publicId);
    },
  };
}

/**
 * The session service, with OpenID Connect revocation on every way a session ends on purpose
 * (an expired session found at its next request is only deleted: the grants it approved
 * live on to their own lifetimes, as offline access means).
 */
export function withOidcSignOut(
  sessions: SessionService,
  deps: { store: Pick<SessionStore, 'findSessionAndUser'>; links: OidcSessionLinks; subjects: Pick<OidcSubjectStore, 'subjectFor'>; payloads: Pick<OidcPayloadStore, 'revokeByAccount'> },
): SessionService {
  const { store, links, subjects, payloads } = deps;
  return {
    ...sessions,
    async endSession(token) {
      const found = await store.findSessionAndUser(sha256Hex(token));
      await sessions.endSession(token);
      if (found?.session.publicId) await links.endFor(found.session.publicId);
    },
    async endSessionByPublicId(userId, publicId) {
      const ended = await sessions.endSessionByPublicId(userId, publicId);
      if (ended) await links.endFor(publicId);
      return ended;
    },
    async endAllSessionsForUser(userId, options) {
      const count = await sessions.endAllSessionsForUser(userId, options);
      const subject = await subjects.subjectFor(userId);
      if (subject !== undefined) await payloads.revokeByAccount(subject);
      return count;
    },
  };
}

/** Revoking a user's OpenID Connect grants and tokens around a change that removes their subject (account deletion). */
export interface OidcUserRevocation {
  /** Reads the user's subject now; the returned function revokes everything issued to it (undefined: no such user). */
  prepare(userId: number): Promise<(() => Promise<void>) | undefined>;
}

export function createOidcUserRevocation(deps: { subjects: Pick<OidcSubjectStore, 'subjectFor'>; payloads: Pick<OidcPayloadStore, 'revokeByAccount'> }): OidcUserRevocation {
  return {
    async prepare(userId) {
      const subject = await deps.subjects.subjectFor(userId);
      if (subject === undefined) return undefined;
      return async () => {
        await deps.payloads.revokeByAccount(subject);
      };
    },
  };
}
