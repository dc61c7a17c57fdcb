/** The shape of one CLI command. `run` returns the exit code; bad input throws CliError. */
import type { CliIo } from './context.ts';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}
