import { generateSecret } from '../../secret-key.ts';
import type { Command } from '../command.ts';
import { CliError } from '../context.ts';

export const secret: Command = {
  name: 'secret',
  summary: 'print a fresh 256-bit secret (hex) for SECRET_KEY',
  usage: 'gatehouse secret',
  async run(args, io) {
    if (args.length > 0) throw new CliError(`usage: ${this.usage}`, 2);
    io.out(generateSecret());
    return 0;
  },
};
