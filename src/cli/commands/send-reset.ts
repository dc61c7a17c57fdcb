import type { Config } from '../../config.ts';
import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import type { MailQueue } from '../../domain/ports.ts';
import type { AppDependencies } from '../../dependencies.ts';
import { createMailSender } from '../../storage/mail/mail-sender.ts';
import { createOutboxTransport, createSmtpTransport } from '../../storage/mail/transports.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, type CliContext, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/**
 * One delivery round from this process, as a server's sender runs it (a lease per message,
 * so a server running beside us never sends the same one twice). Returns the failure reason
 * of the reset mail, if its delivery failed: it stays queued and a server retries it.
 */
async function deliverQueuedMail(config: Config, deps: Pick<AppDependencies, 'clock'> & { mailQueue: MailQueue }): Promise<{ delivered: number; failure?: string }> {
  let failure: string | undefined;
  const sender = createMailSender({
    queue: deps.mailQueue,
    transport: config.mail.smtpUrl ? createSmtpTransport(config.mail.smtpUrl, config.mail.from) : createOutboxTransport(config.dataDir, config.mail.from, () => {}),
    clock: deps.clock,
    warn: (_line, fields) => {
      if (fields.kind === 'password-reset' || fields.kind === undefined) failure ??= String(fields.reason ?? '');
    },
  });
  try {
    return { delivered: await sender.runOnce(), failure };
  } finally {
    await sender.stop();
  }
}

function outcomeLine(context: CliContext, username: string, delivery: { delivered: number; failure?: string }): string {
  if (delivery.failure !== undefined) return say(context, 'cli.send_reset.queued', { username, reason: delivery.failure });
  return say(context, delivery.delivered > 0 ? 'cli.send_reset.sent' : 'cli.send_reset.queued_plain', { username });
}

/**
 * `gatehouse send-reset <username>`: mails the account's owner a password reset link (to the
 * address on the account, in the account's language), as if they had asked for one; recorded
 * as `password.reset_requested`. The link is never printed: only its owner's mailbox sees it.
 * The mail is queued with its audit row and then delivered at once from here (SMTP, or the
 * outbox without SMTP_URL); if that fails it stays queued for a server to retry.
 */
export const sendReset: CommandRun = async (args, io, context) => {
  const [username, ...rest] = args;
  if (!username || username.startsWith('-') || rest.length > 0) throw new CliUsageError();
  const config = readConfig(context);
  return withServices(config, async (deps) => {
    const result = await deps.userService.sendPasswordReset({ username }, CLI_CONTEXT);
    if (!result.ok) throw new CliError({ key: 'cli.unknown_user', params: { username } });
    io.out(outcomeLine(context, username, await deliverQueuedMail(config, deps)));
    return 0;
  });
};
