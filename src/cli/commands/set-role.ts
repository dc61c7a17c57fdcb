import { ROLES } from '../../domain/users/user.ts';
import type { Command } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';

export const setRole: Command = {
  name: 'set-role',
  summary: `set a user's role (${ROLES.join(', ')}); applies on the user's next request`,
  usage: `gatehouse set-role <username> <${ROLES.join('|')}>`,
  async run(args, io) {
    const [username, role, ...rest] = args;
    if (!username || !role || rest.length > 0) throw new CliError(`usage: ${this.usage}`, 2);
    return withServices(readConfig(), async (deps) => {
      const result = await deps.userService.setRole(username, role);
      if (!result.ok) {
        throw new CliError(result.reason === 'bad_role' ? `unknown role "${role}" (roles: ${ROLES.join(', ')})` : `unknown user "${username}"`);
      }
      io.out(`${result.user.username} is now ${result.user.role}`);
      return 0;
    });
  },
};
