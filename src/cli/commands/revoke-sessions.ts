import type { Command } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';

export const revokeSessions: Command = {
  name: 'revoke-sessions',
  summary: 'end every session of a user',
  usage: 'gatehouse revoke-sessions <username>',
  async run(args, io) {
    const [username, ...rest] = args;
    if (!username || rest.length > 0) throw new CliError(`usage: ${this.usage}`, 2);
    return withServices(readConfig(), async (deps) => {
      const result = await deps.userService.revokeSessions(username);
      if (!result.ok) throw new CliError(`unknown user "${username}"`);
      io.out(`ended ${result.count} session(s) of ${username}`);
      return 0;
    });
  },
};
