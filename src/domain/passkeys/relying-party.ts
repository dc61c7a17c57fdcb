/**
 * Gatehouse as a WebAuthn relying party: its id is the hostname of BASE_URL and the only
 * origin it accepts is BASE_URL's origin (read per ceremony: with PORT=0 the URL is known
 * only once the server listens). A passkey made for one RP id never signs for another, so
 * moving BASE_URL to a new host leaves existing passkeys unusable there (README "Passkeys").
 *
 * User handles: the authenticator stores one per discoverable credential and hands it back
 * at sign-in. It must not reveal who the user is (WebAuthn §14.6.1), so it is
 * HMAC-SHA-256(key, "user:<id>"), 32 bytes under a key derived from SECRET_KEY: stable for an
 * account, opaque to anyone reading the authenticator, and checked at sign-in against the
 * owner of the credential used.
 */
import { createHmac } from 'node:crypto';

export interface RelyingParty {
  /** The RP id: BASE_URL's hostname (no port, no scheme). */
  id: string;
  /** BASE_URL's origin, the only `clientDataJSON.origin` accepted. */
  origin: string;
  /** Shown by authenticators beside the account name. */
  name: string;
}

export const RELYING_PARTY_NAME = 'Gatehouse';

/** The relying party of a public URL (BASE_URL). */
export function relyingPartyFor(baseUrl: string): RelyingParty {
  const url = new URL(baseUrl);
  return { id: url.hostname.replace(/^\[|\]$/g, ''), origin: url.origin, name: RELYING_PARTY_NAME };
}

/** The opaque user handle of an account (32 bytes). */
export function userHandleFor(key: Buffer, userId: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHmac('sha256', key).update(`user:${userId}`, 'utf8').digest());
}
