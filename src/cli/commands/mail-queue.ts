import { parseArgs } from 'node:util';
import type { CommandRun } from '../command.ts';
import { readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/**
 * `gatehouse mail-queue [--json]`: messages not yet sent (pending, with their next try) and
 * those given up on (failed), oldest first. Bodies are never read here: they hold links.
 */
export const mailQueue: CommandRun = async (args, io, context) => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: false });
  return withServices(readConfig(context), async (deps) => {
    const unsent = await deps.mailQueue.listUnsent();
    if (values.json) {
      for (const mail of unsent) io.out(JSON.stringify({ ...mail, nextAttemptAt: mail.nextAttemptAt.toISOString() }));
      return 0;
    }
    if (unsent.length === 0) {
      io.out(say(context, 'cli.mail.empty'));
      return 0;
    }
    const rows = unsent.map((mail) => [
      String(mail.id),
      mail.to,
      mail.kind,
      say(context, `cli.mail.status.${mail.status}`),
      String(mail.attempts),
      mail.status === 'failed' ? '-' : mail.nextAttemptAt.toISOString(),
      mail.lastError ?? '',
    ]);
    const header = say(context, 'cli.mail.header').split(/ {2}/);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
    for (const row of [header, ...rows]) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
    return 0;
  });
};
