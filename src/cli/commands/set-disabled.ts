import type { Command } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';

function setDisabledCommand(disabled: boolean): Command {
  const name = disabled ? 'disable' : 'enable';
  return {
    name,
    summary: disabled ? 'disable an account and end its sessions' : 'enable a disabled account',
    usage: `gatehouse ${name} <username>`,
    async run(args, io) {
      const [username, ...rest] = args;
      if (!username || rest.length > 0) throw new CliError(`usage: ${this.usage}`, 2);
      return withServices(readConfig(), async (deps) => {
        const result = await deps.userService.setDisabled(username, disabled);
        if (!result.ok) throw new CliError(`unknown user "${username}"`);
        io.out(`${result.user.username} is ${disabled ? 'disabled; its sessions are ended' : 'enabled'}`);
        return 0;
      });
    },
  };
}

export const disable = setDisabledCommand(true);
export const enable = setDisabledCommand(false);
