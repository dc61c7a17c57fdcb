import { generateSecret } from '../../secret-key.ts';
import { CliUsageError, type CommandRun } from '../command.ts';

/** `gatehouse secret`: a fresh 256-bit SECRET_KEY, hex. */
export const secret: CommandRun = async (args, io) => {
  if (args.length > 0) throw new CliUsageError();
  io.out(generateSecret());
  return 0;
};
