import { ConfigError } from '../../config.ts';
import { type RunningServer, startServer, StartupError } from '../../main.ts';
import type { CommandRun } from '../command.ts';
import { CliError, readConfig } from '../context.ts';
import { say } from '../messages.ts';

/** `gatehouse serve`: the web server; SIGTERM/SIGINT finish in-flight requests, then exit 0. */
export const serve: CommandRun = async (_args, io, context) => {
  const config = readConfig(context);
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
    // The start-up problem names the setting; it is passed through as written.
    if (error instanceof StartupError) throw new CliError(error.text ?? error.message);
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  // The address actually bound (PORT=0 picks a free one), which BASE_URL need not be.
  io.out(say(context, 'cli.listening', { url: server.url }));
  // Only while nobody can administer the deployment; a store that cannot answer skips the hint.
  if ((await server.deps.users.countActiveAdmins().catch(() => 1)) === 0) io.out(say(context, 'cli.first_admin_hint'));
  if (requested) shutdown(requested);
  await stopped;
  return 0;
};
