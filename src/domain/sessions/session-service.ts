/**
 * Session lifecycle: start, validate, end. Tokens are 256 random bits (43 base64url
 * characters) handed to the client once; only their SHA-256 is stored, so a leaked sessions
 * table cannot be replayed (ASVS 3.2.2, 3.2.3).
 */
import type { Clock } from '../clock.ts';
import { generateToken, sha256Hex } from '../crypto.ts';
import type { SessionStore } from '../ports.ts';
import type { User } from '../users/user.ts';
import { isSessionCurrent, isSessionExpired, isSessionLive, isWellFormedPublicId, newPublicId, newSessionExpiry, type Session, type SessionRules, shouldTouchSession } from './session.ts';

export interface SessionService {
  /**
   * Creates a session for the user, bound to their current credential version, and returns
   * its token (to go in the cookie, nowhere else).
   */
  startSession(
    user: { id: number; credentialVersion: number },
    client: { ip: string; userAgent: string },
    /** How the sign-in was proven (Session.authMethods); `['pwd']` when not said. */
    authMethods?: readonly string[],
  ): Promise<{ token: string; session: Session; proxyToken?: string }>;
  /**
   * The live session and its user for a token, or undefined when the token is unknown,
   * expired, made under an older credential version, or its user disabled (then deleted).
   * Reads the user fresh on every call, so role changes and disabling apply on the next
   * request.
   */
  validateSessionToken(token: string): Promise<{ session: Session; user: User } | undefined>;
  /**
   * The same for a forward-auth proxy cookie token (issue #13): the live session it belongs to
   * and its user, under the same rules (expiry, credential version, disabled user), touching the
   * session at most once per touch interval. Only the verify endpoints call this.
   */
  validateProxyToken(token: string): Promise<{ session: Session; user: User } | undefined>;
  /** Gives the session of `sessionToken` a new proxy token (voiding its earlier one); undefined when that session is gone. */
  mintProxyToken(sessionToken: string): Promise<string | undefined>;
  endSession(token: string): Promise<void>;
  /** Keeps the session of `token` signed in across a credential change (see SessionStore). */
  rebindSession(token: string, credentialVersion: number): Promise<void>;
  /** Sudo mode: the session of `token` confirmed its password at `at`. */
  markReauthenticated(token: string, at: Date): Promise<void>;
  endAllSessionsForUser(userId: number, options?: { exceptToken?: string }): Promise<number>;
  deleteExpiredSessions(): Promise<number>;
  /**
   * The user's live sessions (not expired, current credential version), newest first; the
   * one of `currentToken` is marked. Sessions are named by public id only.
   */
  listSessions(user: { id: number; credentialVersion: number }, currentToken: string | null): Promise<ListedSession[]>;
  /** Ends the user's session with that public id; false when the user has no such session. */
  endSessionByPublicId(userId: number, publicId: string): Promise<boolean>;
}

/** A session as the sessions page and API show it. */
export interface ListedSession {
  publicId: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string;
  userAgent: string;
  current: boolean;
}

/** A token shape check before any lookup: base64url of 32 bytes. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export interface SessionServiceOptions {
  /** FORWARD_AUTH_COOKIE_DOMAIN set: every new session gets a proxy token too (256 bits, stored as its SHA-256). */
  proxyTokens?: boolean;
}

export function createSessionService(store: SessionStore, rules: SessionRules, clock: Clock, options: SessionServiceOptions = {}): SessionService {
  /** The checks of a found session: expired, stale or disabled ones are deleted and read as absent. */
  async function liveOrNothing(found: { session: Session; user: User } | undefined) {
    if (!found) return undefined;
    const { idHash } = found.session;
    const now = clock.now();
    if (isSessionExpired(found.session, now, rules) || found.user.disabled || !isSessionCurrent(found.session, found.user)) {
      await store.deleteSession(idHash);
      return undefined;
    }
    if (shouldTouchSession(found.session, now, rules)) {
      const lastSeenAt = new Date(now);
      await store.touchSession(idHash, lastSeenAt);
      found.session.lastSeenAt = lastSeenAt;
    }
    return found;
  }

  return {
    async startSession(user, client, authMethods = ['pwd']) {
      const token = generateToken(32);
      const proxyToken = options.proxyTokens ? generateToken(32) : undefined;
      const now = clock.now();
      const session: Session = {
        idHash: sha256Hex(token),
        userId: user.id,
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt: newSessionExpiry(now, rules),
        ip: client.ip.slice(0, 64),
        userAgent: client.userAgent.slice(0, 512),
        credentialVersion: user.credentialVersion,
        publicId: newPublicId(),
        authMethods,
        ...(proxyToken === undefined ? {} : { proxyTokenHash: sha256Hex(proxyToken) }),
      };
      await store.createSession(session);
      return proxyToken === undefined ? { token, session } : { token, session, proxyToken };
    },

    async validateSessionToken(token) {
      if (!isWellFormedToken(token)) return undefined;
      return liveOrNothing(await store.findSessionAndUser(sha256Hex(token)));
    },

    async validateProxyToken(token) {
      if (!isWellFormedToken(token)) return undefined;
      return liveOrNothing(await store.findSessionAndUserByProxyHash(sha256Hex(token)));
    },

    async mintProxyToken(sessionToken) {
      if (!isWellFormedToken(sessionToken)) return undefined;
      const proxyToken = generateToken(32);
      return (await store.setProxyTokenHash(sha256Hex(sessionToken), sha256Hex(proxyToken))) ? proxyToken : undefined;
    },

    async endSession(token) {
      if (!isWellFormedToken(token)) return;
      await store.deleteSession(sha256Hex(token));
    },

    async markReauthenticated(token, at) {
      if (!isWellFormedToken(token)) return;
      await store.markReauthenticated(sha256Hex(token), at);
    },

    async rebindSession(token, credentialVersion) {
      if (!isWellFormedToken(token)) return;
      await store.setCredentialVersion(sha256Hex(token), credentialVersion);
    },

    endAllSessionsForUser(userId, options = {}) {
      const except = options.exceptToken === undefined ? undefined : sha256Hex(options.exceptToken);
      return store.deleteSessionsForUser(userId, except);
    },

    deleteExpiredSessions() {
      return store.deleteExpiredSessions(new Date(clock.now()), rules.idleTimeoutSeconds);
    },

    async listSessions(user, currentToken) {
      const currentHash = currentToken && isWellFormedToken(currentToken) ? sha256Hex(currentToken) : undefined;
      const now = clock.now();
      return (await store.listSessionsForUser(user.id))
        .filter((session) => session.publicId !== undefined && isSessionLive(session, user, now, rules))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((session) => ({
          publicId: session.publicId!,
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
          ip: session.ip,
          userAgent: session.userAgent,
          current: session.idHash === currentHash,
        }));
    },

    async endSessionByPublicId(userId, publicId) {
      if (!isWellFormedPublicId(publicId)) return false;
      return store.deleteSessionByPublicId(userId, publicId);
    },
  };
}
