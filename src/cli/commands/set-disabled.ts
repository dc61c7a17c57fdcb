import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** `gatehouse disable|enable <username>`; disabling also ends the user's sessions. */
function setDisabled(disabled: boolean): CommandRun {
  return async (args, io, context) => {
    const [username, ...rest] = args;
    if (!username || rest.length > 0) throw new CliUsageError();
    return withServices(readConfig(context), async (deps) => {
      const result = await deps.userService.setDisabled({ username }, disabled, CLI_CONTEXT);
      if (!result.ok) throw new CliError({ key: result.reason === 'last_admin' ? 'cli.last_admin' : 'cli.unknown_user', params: { username } });
      io.out(say(context, disabled ? 'cli.disabled' : 'cli.enabled', { username: result.user.username }));
      return 0;
    });
  };
}

export const disable = setDisabled(true);
export const enable = setDisabled(false);
