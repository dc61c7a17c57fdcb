/**
 * A software WebAuthn authenticator for tests (issue #12): an ES256 key pair from node:crypto,
 * attestation `none` and assertions built by hand as a browser would hand them over
 * (`PublicKeyCredential.toJSON()`): clientDataJSON; authenticatorData with the SHA-256 of the
 * RP id, the flags (UP|UV, and AT with the attested credential data and COSE key at
 * registration) and the signature counter; a DER ECDSA signature over authenticatorData ‖
 * SHA-256(clientDataJSON). Each field can be forged per ceremony (origin, RP id, flags,
 * counter, type) to test what the server refuses.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/** Minimal CBOR (RFC 8949) for what attestation needs: ints, byte and text strings, maps. */
export function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  const entries = value instanceof Map ? [...value] : Object.entries(value as object);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

export const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
export const FLAG = { UP: 0x01, UV: 0x04, AT: 0x40 };

export interface Ceremony {
  origin?: string;
  rpId?: string;
  flags?: number;
  counter?: number;
  type?: string;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  readonly keys: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  counter = 0;
  userHandle = '';
  readonly rpId: string;
  readonly origin: string;

  constructor(serverUrl: string) {
    this.rpId = new URL(serverUrl).hostname;
    this.origin = new URL(serverUrl).origin;
  }

  #clientData(type: string, challenge: string, c: Ceremony): Buffer {
    return Buffer.from(JSON.stringify({ type: c.type ?? type, challenge, origin: c.origin ?? this.origin, crossOrigin: false }));
  }

  #coseKey(): Buffer {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return cbor(new Map<number, unknown>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]));
  }

  #authData(c: Ceremony, flags: number, counter: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(c.rpId ?? this.rpId), Buffer.from([c.flags ?? flags]), count, attested ?? Buffer.alloc(0)]);
  }

  /** What `navigator.credentials.create` would answer to `options`, as toJSON() gives it. */
  register(options: any, c: Ceremony = {}) {
    this.userHandle = options.user.id;
    const idLength = Buffer.from([this.credentialId.length >> 8, this.credentialId.length & 255]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.#coseKey()]);
    const authData = this.#authData(c, FLAG.UP | FLAG.UV | FLAG.AT, c.counter ?? this.counter, attested);
    const attestationObject = cbor({ fmt: 'none', attStmt: {}, authData });
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64url(this.#clientData('webauthn.create', options.challenge, c)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** What `navigator.credentials.get` would answer; each call moves the counter on unless told otherwise. */
  assert(options: any, c: Ceremony = {}) {
    const counter = c.counter ?? ++this.counter;
    const authData = this.#authData(c, FLAG.UP | FLAG.UV, counter);
    const clientData = this.#clientData('webauthn.get', options.challenge, c);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.keys.privateKey);
    return {
      id: b64url(this.credentialId),
      rawId: b64url(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientData), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: this.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
