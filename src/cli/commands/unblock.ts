import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/**
 * `gatehouse unblock <username>`: clears the account's sign-in throttle (its per-account
 * window and its (account, address) pairs with their blocks), so its owner can sign in again
 * at once; recorded as `throttle.cleared`. The per-address limit is left alone: it guards
 * against one client spraying many accounts, not against this one.
 */
export const unblock: CommandRun = async (args, io, context) => {
  const [username, ...rest] = args;
  if (!username || username.startsWith('-') || rest.length > 0) throw new CliUsageError();
  return withServices(readConfig(context), async (deps) => {
    const result = await deps.userService.unblock({ username }, CLI_CONTEXT);
    if (!result.ok) throw new CliError({ key: 'cli.unknown_user', params: { username } });
    io.out(say(context, 'cli.unblock.done', { username }));
    return 0;
  });
};
