import { openDatabase } from '../../storage/open-database.ts';
import { migrateToLatest } from '../../storage/migrate.ts';
import type { Command } from '../command.ts';
import { CliError, readConfig } from '../context.ts';

export const migrate: Command = {
  name: 'migrate',
  summary: 'apply pending schema migrations to DATABASE_URL and exit',
  usage: 'gatehouse migrate',
  async run(_args, io) {
    const config = readConfig();
    const database = await openDatabase(config.databaseUrl);
    try {
      const result = await migrateToLatest(database.db);
      if (!result.ok) throw new CliError(`migration failed: ${result.error}`);
      io.out(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'schema is up to date');
      return 0;
    } finally {
      await database.close();
    }
  },
};
