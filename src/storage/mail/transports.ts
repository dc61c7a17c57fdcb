/**
 * Where mail goes: an SMTP server (`SMTP_URL`, `smtp://` or `smtps://`, with credentials in
 * the URL, through nodemailer), or, when it is unset, one `.eml` file per message in
 * `<DATA_DIR>/outbox/` (mode 0600 in a 0700 folder: the files hold single-use links), each
 * logged as one line that names the recipient, the kind and the file, never the link.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { OutgoingMail } from '../../domain/ports.ts';

export interface MailTransport {
  /** Delivers or throws; the sender retries a throw later. */
  send(mail: OutgoingMail & { id: number }): Promise<void>;
  close(): void;
}

export function createSmtpTransport(smtpUrl: string, from: string): MailTransport {
  // Bounded waits: a hanging server must not hold a sender round for minutes.
  const transporter = nodemailer.createTransport(smtpUrl, { from, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never);
  return {
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    },
    close: () => transporter.close(),
  };
}

export function createOutboxTransport(dataDir: string, from: string, log: (line: string, fields: Record<string, unknown>) => void): MailTransport {
  const outbox = path.join(dataDir, 'outbox');
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = (await composer.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })) as { message: Buffer };
      mkdirSync(outbox, { recursive: true, mode: 0o700 });
      const file = path.join(outbox, `${Date.now()}-${mail.id}-${mail.kind}.eml`);
      writeFileSync(file, info.message, { mode: 0o600 });
      log('mail written to the outbox', { kind: mail.kind, to: mail.to, file });
    },
    close: () => composer.close(),
  };
}

/**
 * Connects to the SMTP server of `smtpUrl`, greets it and logs in (nodemailer's `verify`),
 * then closes: throws with the server's or the network's reason. For `gatehouse doctor`; the
 * reason names the host, never the URL's credentials.
 */
export async function verifySmtp(smtpUrl: string): Promise<void> {
  const transporter = nodemailer.createTransport(smtpUrl, { connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 5000 } as never);
  try {
    await transporter.verify();
  } catch (error) {
    const reason = ((error as Error).message || String(error)).replace(/\/\/[^@\s/]*@/g, '//');
    throw new Error(reason);
  } finally {
    transporter.close();
  }
}
