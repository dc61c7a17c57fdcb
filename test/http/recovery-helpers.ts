/** Helpers of the password recovery tests: reading links from received mail, opening them as a browser does. */
import assert from 'node:assert/strict';
import { TestClient } from '../helpers/client.ts';
import type { TestServer } from '../helpers/server.ts';
import type { TestSmtp } from '../helpers/smtp.ts';

export const NEW_PASSWORD = 'velvet thunder marmalade oscillates quietly beneath nine lanterns';

/** New-device sign-in notices (test/http/new-device.test.ts covers them): not what these tests read. */
const NEW_DEVICE_SUBJECTS = /^(New sign-in to your Gatehouse account|Nuevo inicio de sesión en tu cuenta de Gatehouse)$/;

/** Delivers what is queued and returns the newest message to `address` (new-device notices aside). */
export async function lastMailTo(server: TestServer, smtp: TestSmtp, address: string) {
  await server.mail.runOnce();
  const mails = smtp.received.filter((mail) => mail.to && !Array.isArray(mail.to) && mail.to.text === address && !NEW_DEVICE_SUBJECTS.test(mail.subject ?? ''));
  assert.ok(mails.length > 0, `a mail to ${address}`);
  return mails.at(-1)!;
}

export function linkToken(text: string, path: '/reset-password' | '/secure-account'): string {
  const match = new RegExp(`https?://[^\\s]+${path}\\?token=([A-Za-z0-9_-]{43})`).exec(text);
  assert.ok(match, `a ${path} link in:\n${text}`);
  return match[1]!;
}

/** Delivers what is queued and returns the token of the newest `path` link mailed to `address`. */
export async function latestLink(server: TestServer, smtp: TestSmtp, address: string, path: '/reset-password' | '/secure-account'): Promise<string> {
  await server.mail.runOnce();
  const mails = smtp.received.filter((mail) => !Array.isArray(mail.to) && mail.to?.text === address && (mail.text ?? '').includes(`${path}?token=`));
  assert.ok(mails.length > 0, `a ${path} link mailed to ${address}`);
  return linkToken(mails.at(-1)!.text ?? '', path);
}

/** A fresh client opens the link the way a browser does: the 303, then the form page. */
export async function openResetLink(server: TestServer, token: string) {
  const client = new TestClient(server.url);
  const landing = await client.get(`/reset-password?token=${token}`);
  return { client, landing, form: landing.status === 303 ? await client.get(landing.location!) : landing };
}

export async function requestReset(server: TestServer, email: string, headers: Record<string, string> = {}) {
  const client = new TestClient(server.url);
  await client.get('/forgot-password');
  return client.postForm('/forgot-password', { email }, headers);
}

