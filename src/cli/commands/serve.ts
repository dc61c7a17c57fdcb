import { ConfigError } from '../../config.ts';
import { type RunningServer, startServer, StartupError } from '../../main.ts';
import type { Command } from '../command.ts';
import { CliError, readConfig } from '../context.ts';

export const serve: Command = {
  name: 'serve',
  summary: 'start the web server (what `npm start` runs); migrates first unless MIGRATE=0',
  usage: 'gatehouse serve',
  async run(_args, io) {
    const config = readConfig();
    // Signals are handled from the first moment: one that arrives while starting waits for
    // the start to finish, then closes gracefully, instead of killing the process mid-way.
    let server: RunningServer | undefined;
    let requested: string | undefined;
    let onStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => (onStopped = resolve));
    const shutdown = (signal: string) => {
      requested ??= signal;
      if (!server) return;
      server.app.log.info(`${signal}: finishing in-flight requests and closing`);
      server.stop().then(onStopped, onStopped);
    };
    const onTerm = () => shutdown('SIGTERM');
    const onInt = () => shutdown('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    try {
      server = await startServer(config);
    } catch (error) {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      if (error instanceof StartupError || error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
    io.out(`Gatehouse is listening on ${config.baseUrl}`);
    io.out('Create the first admin with: npx gatehouse create-admin --username admin --email you@example.com');
    if (requested) shutdown(requested);
    await stopped;
    return 0;
  },
};
