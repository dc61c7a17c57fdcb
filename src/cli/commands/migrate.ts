import { migrateToLatest } from '../../storage/migrate.ts';
import { openDatabase } from '../../storage/open-database.ts';
import type { CommandRun } from '../command.ts';
import { CliError, readConfig } from '../context.ts';
import { say } from '../messages.ts';

/** `gatehouse migrate`: applies pending migrations to DATABASE_URL (locked, so safe in parallel). */
export const migrate: CommandRun = async (_args, io, context) => {
  const config = readConfig(context);
  const database = await openDatabase(config.databaseUrl);
  try {
    const result = await migrateToLatest(database.db);
    if (!result.ok) throw new CliError({ key: 'cli.migration_failed', params: { reason: result.error } });
    io.out(result.applied.length ? say(context, 'cli.migrated', { names: result.applied.join(', ') }) : say(context, 'cli.up_to_date'));
    return 0;
  } finally {
    await database.close();
  }
};
