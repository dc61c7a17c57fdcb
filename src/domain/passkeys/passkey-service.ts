/**
 * Passkeys (issue #12): registering, listing, renaming and removing an account's WebAuthn
 * credentials, and proving one at sign-in, with @simplewebauthn/server doing the WebAuthn
 * verification (MasterKale/SimpleWebAuthn:example/index.ts: options, verify, store the counter).
 *
 * Invariants:
 *  - credentials are discoverable (`residentKey: 'required'`) and user-verifying
 *    (`userVerification: 'required'`, checked again on every response): a passkey alone is
 *    possession plus a PIN or biometric, so it signs in without a password and counts as two
 *    factors (`hwk`, `mfa`; ASVS v5.0.0-6.3.3);
 *  - every ceremony answers one challenge of its purpose, bound to the browser that asked
 *    (challenges.ts), used up before anything is verified;
 *  - the signature counter must move forward unless the authenticator keeps none (both 0): a
 *    regression is refused and recorded (`passkey.counter_regressed`), checked only once the
 *    signature is known to be good, and the new value is stored with a guarded update;
 *  - a credential id belongs to one account (primary key): registering it again is `conflict`;
 *  - add, rename and remove commit with their audit row; add and remove also mail the
 *    account a notice with the "this wasn't me" link, in the same transaction.
 * Outcomes a caller branches on are returned; nothing here throws for a refusal.
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuditContext } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { constantTimeEqual } from '../crypto.ts';
import type { AuditLog, MailComposer, Passkey, PasskeyStore, Transactor, UserStore, WebauthnChallengeStore } from '../ports.ts';
import { issueSecureAccountLink } from '../recovery/secure-account.ts';
import { mailLocaleFor, type User } from '../users/user.ts';
import { answeredChallenge, CHALLENGE_SECONDS, createChallenges } from './challenges.ts';
import { normalizePasskeyName } from './passkey-name.ts';
import { type RelyingParty, userHandleFor } from './relying-party.ts';

/** Passkeys one account may hold (ASVS v5.0.0-2.1.3: a documented per-user limit). */
export const MAX_PASSKEYS_PER_USER = 20;
/** The `credential_id` column's width; WebAuthn allows up to 1023 bytes, authenticators use 16–64. */
export const MAX_CREDENTIAL_ID_LENGTH = 512;
/**
 * COSE algorithms accepted: EdDSA, ES256, RS256 (what authenticators make). Named, so the
 * library does not add ML-DSA-44, which Node 24 offers only as an experimental API.
 */
export const SUPPORTED_ALGORITHMS = [-8, -7, -257];

export type RegistrationStart = { kind: 'options'; options: PublicKeyCredentialCreationOptionsJSON } | { kind: 'limit' };

export type RegistrationResult =
  | { kind: 'added'; passkey: Passkey }
  /** Not a valid answer to this session's challenge: expired, used, forged, wrong origin or RP id. */
  | { kind: 'rejected' }
  /** The credential is registered already (to this or another account). */
  | { kind: 'conflict' }
  | { kind: 'limit' };

export type PasskeyRefusal = 'challenge' | 'unknown-credential' | 'wrong-user' | 'signature' | 'counter' | 'disabled';

export type AuthenticationResult = { kind: 'verified'; user: User; passkey: Passkey } | { kind: 'rejected'; reason: PasskeyRefusal };

export interface PasskeyServiceDependencies {
  passkeys: PasskeyStore;
  challenges: WebauthnChallengeStore;
  users: Pick<UserStore, 'findUserById'>;
  transactor: Transactor;
  mailComposer: MailComposer;
  /** Refusals and counter regressions, which change nothing to join. */
  audit: AuditLog;
  clock: Clock;
  /** Read per ceremony (BASE_URL is known only once listening with PORT=0). */
  relyingParty: () => RelyingParty;
  /** Key of the opaque user handles (relying-party.ts). */
  userHandleKey: Buffer;
}

/** What a sign-in ceremony is for: a usernameless sign-in, or the second step of a password sign-in. */
export type AuthenticationPurpose = { purpose: 'sign-in' } | { purpose: 'second-factor'; userId: number };

export function createPasskeyService(deps: PasskeyServiceDependencies) {
  const { passkeys, users, transactor, mailComposer, clock } = deps;
  const challenges = createChallenges(deps.challenges, clock);
  const timeout = CHALLENGE_SECONDS * 1000;

  async function refuse(reason: PasskeyRefusal, by: AuditContext, targetUserId: number | null, purpose: AuthenticationPurpose['purpose']): Promise<AuthenticationResult> {
    const failure = purpose === 'sign-in' ? `passkey_${reason.replace('-', '_')}` : 'second_factor_failed';
    await deps.audit.record({ type: 'login.failed', outcome: 'failure', targetUserId, details: { reason: failure, method: 'passkey' } }, by);
    return { kind: 'rejected', reason };
  }

  return {
    listPasskeys: (userId: number) => passkeys.listPasskeysForUser(userId),

    /** True when the account has at least one passkey (it can be offered as a second factor). */
    async hasPasskey(userId: number): Promise<boolean> {
      return (await passkeys.countPasskeysForUser(userId)) > 0;
    },

    /** Creation options for `user`, their existing credentials excluded; `binding`: the session token. */
    async startRegistration(input: { user: User; binding: string }): Promise<RegistrationStart> {
      const existing = await passkeys.listPasskeysForUser(input.user.id);
      if (existing.length >= MAX_PASSKEYS_PER_USER) return { kind: 'limit' };
      const rp = deps.relyingParty();
      const challenge = await challenges.issue('registration', input.binding, input.user.id);
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: input.user.username,
        userDisplayName: input.user.username,
        userID: userHandleFor(deps.userHandleKey, input.user.id),
        challenge,
        timeout,
        attestationType: 'none',
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
        excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: [...passkey.transports] })),
        authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
      });
      return { kind: 'options', options };
    },

    /** Verifies the authenticator's answer and stores the passkey as `name` (normalised; `fallbackName` when empty). */
    async finishRegistration(input: { user: User; binding: string; response: RegistrationResponseJSON; name: string; fallbackName: string; locale: string; by: AuditContext }): Promise<RegistrationResult> {
      const { user } = input;
      const challenge = answeredChallenge(input.response?.response?.clientDataJSON);
      const issued = challenge && (await challenges.consume('registration', input.binding, challenge));
      if (!challenge || !issued || issued.userId !== user.id) return { kind: 'rejected' };
      const rp = deps.relyingParty();
      const verified = await verifyRegistrationResponse({
        response: input.response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: true,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      }).catch(() => ({ verified: false as const }));
      if (!verified.verified) return { kind: 'rejected' };
      const { credential, credentialBackedUp } = verified.registrationInfo;
      if (credential.id.length > MAX_CREDENTIAL_ID_LENGTH) return { kind: 'rejected' };
      const now = new Date(clock.now());
      const passkey: Passkey = {
        credentialId: credential.id,
        userId: user.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        signCount: credential.counter,
        transports: (credential.transports ?? []).filter((transport) => /^[a-z-]{1,20}$/.test(transport)).slice(0, 8),
        name: normalizePasskeyName(input.name) || normalizePasskeyName(input.fallbackName),
        backedUp: credentialBackedUp,
        createdAt: now,
        lastUsedAt: null,
      };
      return transactor.run(async (tx): Promise<RegistrationResult> => {
        if ((await tx.passkeys.countPasskeysForUser(user.id)) >= MAX_PASSKEYS_PER_USER) return { kind: 'limit' };
        if ((await tx.passkeys.createPasskey(passkey)) === 'conflict') return { kind: 'conflict' };
        const secure = await issueSecureAccountLink(tx, user.id, now);
        const locale = mailLocaleFor(user, input.locale);
        await tx.mail.enqueue(mailComposer.compose({ kind: 'passkey-added', to: user.email, locale, params: { username: user.username, name: passkey.name }, links: { secure, passkeys: '/settings/passkeys' } }), now);
        await tx.audit.record({ type: 'passkey.added', outcome: 'success', targetUserId: user.id, details: { synced: passkey.backedUp } }, input.by);
        return { kind: 'added', passkey };
      });
    },

    /**
     * Request options: usernameless (no allowCredentials: the authenticator offers its
     * discoverable credentials for this RP), or the pending user's own credentials for a
     * second factor. `binding`: the session token (sign-in) or the pending sign-in's token.
     */
    async startAuthentication(input: AuthenticationPurpose & { binding: string }): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const userId = input.purpose === 'second-factor' ? input.userId : null;
      const allowed = userId === null ? [] : await passkeys.listPasskeysForUser(userId);
      const rp = deps.relyingParty();
      const challenge = await challenges.issue(input.purpose, input.binding, userId);
      return generateAuthenticationOptions({
        rpID: rp.id,
        challenge,
        timeout,
        userVerification: 'required',
        allowCredentials: allowed.map((passkey) => ({ id: passkey.credentialId, transports: [...passkey.transports] })),
      });
    },

    /**
     * Checks an assertion: the challenge (this purpose, this binding, unused, unexpired), the
     * credential (known; the pending user's for a second factor; its user handle), the
     * signature, user presence and verification, origin and RP id, then the counter. On
     * success the use is recorded and the account (enabled) returned; every refusal is
     * recorded as `login.failed` with its reason, a counter regression as its own event.
     */
    async finishAuthentication(input: AuthenticationPurpose & { binding: string; response: AuthenticationResponseJSON; by: AuditContext }): Promise<AuthenticationResult> {
      const { response, by } = input;
      const expectedUserId = input.purpose === 'second-factor' ? input.userId : undefined;
      const challenge = answeredChallenge(response?.response?.clientDataJSON);
      const issued = challenge && (await challenges.consume(input.purpose, input.binding, challenge));
      if (!challenge || !issued || (expectedUserId !== undefined && issued.userId !== expectedUserId)) return refuse('challenge', by, expectedUserId ?? null, input.purpose);
      const credentialId = typeof response.id === 'string' && response.id.length <= MAX_CREDENTIAL_ID_LENGTH ? response.id : '';
      const passkey = credentialId ? await passkeys.findPasskey(credentialId) : undefined;
      if (!passkey) return refuse('unknown-credential', by, expectedUserId ?? null, input.purpose);
      if (expectedUserId !== undefined && passkey.userId !== expectedUserId) return refuse('wrong-user', by, expectedUserId, input.purpose);
      const handle = response.response.userHandle;
      const ownHandle = Buffer.from(userHandleFor(deps.userHandleKey, passkey.userId)).toString('base64url');
      if (typeof handle === 'string' && handle !== '' && !constantTimeEqual(handle, ownHandle)) return refuse('wrong-user', by, passkey.userId, input.purpose);
      const rp = deps.relyingParty();
      // The library's own counter check runs before the signature's; it is given 0 (which it
      // never refuses) so that the check below sees only responses the key really signed.
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: true,
        credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0, transports: [...passkey.transports] as never },
      }).catch(() => undefined);
      if (!verified?.verified) return refuse('signature', by, passkey.userId, input.purpose);
      const { newCounter, credentialBackedUp } = verified.authenticationInfo;
      const regressed = (newCounter > 0 || passkey.signCount > 0) && newCounter <= passkey.signCount;
      const recorded = !regressed && (await passkeys.recordPasskeyUse(passkey.credentialId, { expectedSignCount: passkey.signCount, signCount: newCounter, backedUp: credentialBackedUp, at: new Date(clock.now()) }));
      if (!recorded) {
        // WebAuthn §6.1.1: a counter that did not grow hints at a cloned authenticator.
        await deps.audit.record({ type: 'passkey.counter_regressed', outcome: 'failure', targetUserId: passkey.userId, details: { stored: passkey.signCount, received: newCounter } }, by);
        return { kind: 'rejected', reason: 'counter' };
      }
      const user = await users.findUserById(passkey.userId);
      if (!user || user.disabled) return refuse('disabled', by, passkey.userId, input.purpose);
      return { kind: 'verified', user, passkey: { ...passkey, signCount: newCounter, backedUp: credentialBackedUp } };
    },

    /** Renames one of the user's own passkeys; false when they have none with that id (nothing changes). */
    async renamePasskey(input: { user: User; credentialId: string; name: string; by: AuditContext }): Promise<'renamed' | 'not-found' | 'empty-name'> {
      const name = normalizePasskeyName(input.name);
      if (name === '') return 'empty-name';
      return transactor.run(async (tx) => {
        if (!(await tx.passkeys.renamePasskey(input.user.id, input.credentialId, name))) return 'not-found';
        await tx.audit.record({ type: 'passkey.renamed', outcome: 'success', targetUserId: input.user.id }, input.by);
        return 'renamed';
      });
    },

    /** Removes one of the user's own passkeys, with its audit row and a notice; false when they have none with that id. */
    async removePasskey(input: { user: User; credentialId: string; locale: string; by: AuditContext }): Promise<boolean> {
      const { user } = input;
      const now = new Date(clock.now());
      return transactor.run(async (tx) => {
        const mine = (await tx.passkeys.listPasskeysForUser(user.id)).find((passkey) => passkey.credentialId === input.credentialId);
        if (!mine || !(await tx.passkeys.deletePasskey(user.id, input.credentialId))) return false;
        const secure = await issueSecureAccountLink(tx, user.id, now);
        const locale = mailLocaleFor(user, input.locale);
        await tx.mail.enqueue(mailComposer.compose({ kind: 'passkey-removed', to: user.email, locale, params: { username: user.username, name: mine.name }, links: { secure, passkeys: '/settings/passkeys' } }), now);
        await tx.audit.record({ type: 'passkey.removed', outcome: 'success', targetUserId: user.id }, input.by);
        return true;
      });
    },
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
