/**
 * Recognising browsers at sign-in (ASVS v5.0.0-6.3.5 / 2.5.5 in 4.0.3 terms: notify the user
 * of suspicious authentication). Each browser carries a long-lived random device token (the
 * `gatehouse_device` cookie, 256 bits; only its SHA-256 is stored, per account). A sign-in
 * from a browser the account has not seen before, on an account that has signed in before,
 * queues a notice to the account's address: when, from which IP and device, a link to the
 * sessions page and a "this wasn't me" link. The account's very first sign-in sends nothing.
 *
 * Cost: one indexed read and at most one write per sign-in; the notice (token + mail) is one
 * transaction, only for a new browser.
 */
import { generateToken, sha256Hex } from '../crypto.ts';
import type { Clock, KnownDeviceStore, MailComposer, Transactor } from '../ports.ts';
import { issueSecureAccountLink } from '../recovery/secure-account.ts';
import { mailLocaleFor, type User } from '../users/user.ts';
import { deviceName } from './device-name.ts';

/** A device token as we issue it: base64url of 32 bytes. Anything else is replaced. */
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function createDeviceRecognition(deps: { devices: KnownDeviceStore; transactor: Transactor; mailComposer: MailComposer; clock: Clock }) {
  const { devices, transactor, mailComposer, clock } = deps;
  return {
    /**
     * Records a successful sign-in of `user` from the browser holding `deviceToken` (null or
     * malformed: a new browser) and returns the token the browser keeps.
     */
    async recordSignIn(input: { user: User; deviceToken: string | null | undefined; ip: string; userAgent: string; locale: string }): Promise<string> {
      const token = input.deviceToken && DEVICE_TOKEN.test(input.deviceToken) ? input.deviceToken : generateToken(32);
      const hash = sha256Hex(token);
      const now = new Date(clock.now());
      const { known, anyKnown } = await devices.lookup(input.user.id, hash);
      await devices.remember(input.user.id, hash, now, known);
      if (!known && anyKnown) {
        const device = deviceName(input.userAgent);
        await transactor.run(async (tx) => {
          const secure = await issueSecureAccountLink(tx, input.user.id, now);
          const mail = mailComposer.compose({
            kind: 'new-device',
            to: input.user.email,
            locale: mailLocaleFor(input.user, input.locale),
            params: {
              username: input.user.username,
              time: now.toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
              ip: input.ip,
              device: [device.browser, device.os].filter(Boolean).join(' / ') || '?',
            },
            links: { secure, sessions: '/settings/sessions' },
          });
          await tx.mail.enqueue(mail, now);
        });
      }
      return token;
    },
  };
}

export type DeviceRecognition = ReturnType<typeof createDeviceRecognition>;
