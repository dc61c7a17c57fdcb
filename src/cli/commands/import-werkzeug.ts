import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { importLegacyRow, type ImportReport } from '../../domain/users/legacy-import.ts';
import { LegacySourceError, openFlaskDemoSource } from '../../storage/flask-demo-source.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** Rows read per page: bounded memory whatever the file's size. */
const PAGE_SIZE = 500;

/**
 * `gatehouse import-werkzeug <users.db>`: the Flask demo's users become accounts
 * (domain/users/legacy-import.ts). Prints each skipped row with its reason and a summary; a
 * progress line on a terminal. Idempotent, so an interrupted import runs again to completion.
 */
export const importWerkzeug: CommandRun = async (args, io, context) => {
  const [file, ...rest] = args;
  if (!file || rest.length > 0 || file.startsWith('-')) throw new CliUsageError();
  const config = readConfig(context);
  let source;
  try {
    source = openFlaskDemoSource(file);
  } catch (error) {
    if (error instanceof LegacySourceError) throw new CliError(error.message);
    throw error;
  }
  try {
    // Read the source first: its own errors must not pass for our database's.
    const total = await source.count();
    return await withServices(config, async (deps) => {
      const report: ImportReport = { imported: 0, importedWithoutPassword: 0, alreadyImported: 0, skipped: [] };
      const now = new Date(deps.clock.now());
      let done = 0;
      for (let afterId = 0; ; ) {
        const rows = await source.page(afterId, PAGE_SIZE);
        if (rows.length === 0) break;
        // One transaction per page: its accounts and their events commit together.
        const outcomes = await deps.transactor.run(async (tx) => {
          const page = [];
          for (const row of rows) page.push({ row, outcome: await importLegacyRow(tx, row, now, CLI_CONTEXT) });
          return page;
        });
        for (const { row, outcome } of outcomes) {
          if (outcome.kind === 'imported') {
            report.imported += 1;
            if (!outcome.usablePassword) report.importedWithoutPassword += 1;
          } else if (outcome.kind === 'already-imported') {
            report.alreadyImported += 1;
          } else {
            report.skipped.push({ row: row.id, username: outcome.username, reason: outcome.reason });
            io.progress?.('');
            io.err(say(context, 'cli.import.skipped', { row: row.id, username: outcome.username, reason: say(context, `cli.import.reason.${outcome.reason}`) }));
          }
        }
        done += rows.length;
        afterId = rows.at(-1)!.id;
        io.progress?.(say(context, 'cli.import.progress', { done, total }));
      }
      io.progress?.('');
      await deps.audit.record(
        { type: 'users.imported', outcome: 'success', targetUserId: null, details: { imported: report.imported, already: report.alreadyImported, skipped: report.skipped.length } },
        CLI_CONTEXT,
      );
      io.out(
        say(context, 'cli.import.summary', {
          imported: report.imported,
          unusable: report.importedWithoutPassword,
          already: report.alreadyImported,
          skipped: report.skipped.length,
        }),
      );
      return 0;
    });
  } catch (error) {
    if (error instanceof LegacySourceError) throw new CliError(error.message);
    throw error;
  } finally {
    await source.close();
  }
};
