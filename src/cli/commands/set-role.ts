import { ROLES } from '../../domain/users/user.ts';
import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** `gatehouse set-role <username> <role>`: applies on the user's next request. */
export const setRole: CommandRun = async (args, io, context) => {
  const [username, role, ...rest] = args;
  if (!username || !role || rest.length > 0) throw new CliUsageError();
  return withServices(readConfig(context), async (deps) => {
    const result = await deps.userService.setRole({ username }, role, CLI_CONTEXT);
    if (!result.ok) {
      throw new CliError(
        result.reason === 'bad_role'
          ? { key: 'cli.unknown_role', params: { role, roles: ROLES.join(', ') } }
          : { key: result.reason === 'last_admin' ? 'cli.last_admin' : 'cli.unknown_user', params: { username } },
      );
    }
    io.out(say(context, 'cli.role_set', { username: result.user.username, role: result.user.role }));
    return 0;
  });
};
