import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** `gatehouse revoke-sessions <username>`: ends every session of that user. */
export const revokeSessions: CommandRun = async (args, io, context) => {
  const [username, ...rest] = args;
  if (!username || rest.length > 0) throw new CliUsageError();
  return withServices(readConfig(context), async (deps) => {
    const result = await deps.userService.revokeSessions({ username }, CLI_CONTEXT);
    if (!result.ok) throw new CliError({ key: 'cli.unknown_user', params: { username } });
    io.out(say(context, 'cli.revoked', { count: result.count, username }));
    return 0;
  });
};
