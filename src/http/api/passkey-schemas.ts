/**
 * Passkey schemas (zod), shared by the JSON API (passkey-routes.ts) and the pages' ceremony
 * calls (pages/passkey-pages.ts): WebAuthn options as the browser's
 * `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON` take them
 * (@simplewebauthn/browser's `startRegistration` / `startAuthentication` do that), the
 * credential the browser answers with (`PublicKeyCredential.toJSON()`), and a passkey as
 * listed. Binary values travel as base64url; each is bounded before any verification runs.
 * The credential objects admit fields a newer browser adds (they are ignored), the outer
 * bodies are strict.
 */
import { z } from 'zod';
import { PASSKEY_NAME_MAX } from '../../domain/passkeys/passkey-name.ts';
import { textField } from '../text-field.ts';

const base64url = (max: number, description: string) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/, 'invalid')
    .describe(`${description} (base64url, no padding).`);

const transports = z.array(z.string().max(32)).max(10).describe('How the browser may reach the authenticator (`internal`, `hybrid`, `usb`, `nfc`, `ble`).');
const descriptor = z.object({ id: base64url(1400, 'A credential id'), type: z.literal('public-key'), transports: transports.optional() });

export const creationOptionsJson = z
  .object({
    challenge: base64url(64, 'The challenge to sign: 32 random bytes, single-use, valid for 5 minutes, for this session only'),
    rp: z.object({ name: z.string(), id: z.string().describe('The relying party id: the hostname of BASE_URL.') }),
    user: z.object({ id: base64url(64, 'The opaque user handle (not the account id)'), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.object({ alg: z.number().int(), type: z.literal('public-key') })).describe('EdDSA, ES256 and RS256, in that order.'),
    timeout: z.number().int().describe('Milliseconds the browser may wait for the user (the challenge’s lifetime).'),
    attestation: z.string(),
    excludeCredentials: z.array(descriptor).describe('This account’s passkeys: the authenticator refuses to make a second one.'),
    authenticatorSelection: z.object({ residentKey: z.string(), requireResidentKey: z.boolean(), userVerification: z.string() }),
    extensions: z.object({ credProps: z.boolean() }).partial(),
    hints: z.array(z.string()),
  })
  .partial({ extensions: true, hints: true })
  .meta({ id: 'PasskeyCreationOptions', description: 'PublicKeyCredentialCreationOptionsJSON (WebAuthn Level 3): pass it to `navigator.credentials.create` through `PublicKeyCredential.parseCreationOptionsFromJSON`.' });

export const requestOptionsJson = z
  .object({
    challenge: base64url(64, 'The challenge to sign: 32 random bytes, single-use, valid for 5 minutes, for this session only'),
    rpId: z.string().describe('The relying party id: the hostname of BASE_URL.'),
    timeout: z.number().int().describe('Milliseconds the browser may wait for the user (the challenge’s lifetime).'),
    userVerification: z.string(),
    allowCredentials: z.array(descriptor).describe('Empty for a usernameless sign-in (the authenticator offers its passkeys for this site); the pending account’s passkeys for a second factor.'),
  })
  .meta({ id: 'PasskeyRequestOptions', description: 'PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3): pass it to `navigator.credentials.get` through `PublicKeyCredential.parseRequestOptionsFromJSON`.' });

const credentialCommon = {
  id: base64url(1400, 'The credential id'),
  rawId: base64url(1400, 'The credential id again'),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).describe('Extension outputs, as the browser reports them.'),
};

export const registrationCredential = z
  .object({
    ...credentialCommon,
    response: z
      .object({
        clientDataJSON: base64url(4096, 'The client data the authenticator signed'),
        attestationObject: base64url(32768, 'The attestation object (format `none` is asked)'),
        transports: transports.optional(),
      })
      .loose(),
  })
  .loose()
  .meta({ id: 'PasskeyRegistrationCredential', description: 'The new credential, as `PublicKeyCredential.toJSON()` gives it (RegistrationResponseJSON).' });

export const authenticationCredential = z
  .object({
    ...credentialCommon,
    response: z
      .object({
        clientDataJSON: base64url(4096, 'The client data the authenticator signed'),
        authenticatorData: base64url(4096, 'The authenticator data'),
        signature: base64url(1024, 'The assertion signature'),
        userHandle: base64url(128, 'The user handle stored with the credential').nullable().optional(),
      })
      .loose(),
  })
  .loose()
  .meta({ id: 'PasskeyAssertion', description: 'The signed assertion, as `PublicKeyCredential.toJSON()` gives it (AuthenticationResponseJSON).' });

/** A passkey's name as typed: normalised and cut by the domain (passkey-name.ts). */
export const passkeyNameField = textField(400).meta({ maxLength: PASSKEY_NAME_MAX, description: `A name to tell it apart, at most ${PASSKEY_NAME_MAX} characters (spaces collapsed, control characters removed).` });

export const passkeyIdField = z.string().min(1).max(1400).describe('The credential id of one of this account’s passkeys, as listed.');

export const passkeyJson = z
  .object({
    id: z.string().describe('The credential id (base64url): not a secret, it names the passkey.'),
    name: z.string(),
    createdAt: z.string().meta({ format: 'date-time' }).describe('When it was added.'),
    lastUsedAt: z.string().meta({ format: 'date-time' }).nullable().describe('Its last sign-in (null: never used).'),
    synced: z.boolean().describe('True when its provider backs it up or syncs it between devices.'),
    transports: z.array(z.string()),
  })
  .meta({ id: 'Passkey' });

export function toPasskeyJson(passkey: { credentialId: string; name: string; createdAt: Date; lastUsedAt: Date | null; backedUp: boolean; transports: readonly string[] }): z.infer<typeof passkeyJson> {
  return {
    id: passkey.credentialId,
    name: passkey.name,
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt?.toISOString() ?? null,
    synced: passkey.backedUp,
    transports: [...passkey.transports],
  };
}
