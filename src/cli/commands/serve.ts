import { ConfigError } from '../../config.js';
import { startServer, StartupError } from '../../main.js';
import type { Command } from '../command.js';
import { CliError, readConfig } from '../context.js';

export const serve: Command = {
  name: 'serve',
  summary: 'start the web server (what `npm start` runs); migrates first unless MIGRATE=0',
  usage: 'gatehouse serve',
  async run(_args, io) {
    const config = readConfig();
    let server;
    try {
      server = await startServer(config);
    } catch (error) {
      if (error instanceof StartupError || error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
    io.out(`Gatehouse is listening on ${config.baseUrl}`);
    io.out('Create the first admin with: npx gatehouse create-admin --username admin --email you@example.com');
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        server.app.log.info(`${signal}: finishing in-flight requests and closing`);
        server.stop().then(resolve, resolve);
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    return 0;
  },
};
