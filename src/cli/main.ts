/**
 * `gatehouse <command>`: dispatch, `--help`, and the error contract — bad input exits
 * non-zero with one line on stderr, and nothing printed ever holds a password or hash.
 */
import type { Command } from './command.ts';
import { createAdmin } from './commands/create-admin.ts';
import { migrate } from './commands/migrate.ts';
import { revokeSessions } from './commands/revoke-sessions.ts';
import { secret } from './commands/secret.ts';
import { serve } from './commands/serve.ts';
import { disable, enable } from './commands/set-disabled.ts';
import { setRole } from './commands/set-role.ts';
import { CliError, type CliIo } from './context.ts';

export const COMMANDS: Command[] = [serve, migrate, createAdmin, setRole, disable, enable, revokeSessions, secret];

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return ['usage: gatehouse <command> [options]', '', 'commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'Run `gatehouse <command> --help` for its usage.'].join('\n');
}

export async function runCli(argv: string[], io: CliIo = consoleIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    io.err(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`gatehouse: unknown command "${name}"; run \`gatehouse --help\``);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      for (const line of error.message.split('\n')) io.err(`gatehouse ${name}: ${line}`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`gatehouse ${name}: ${(error as Error).message.split('\n')[0]}; usage: ${command.usage}`);
      return 2;
    }
    io.err(`gatehouse ${name}: failed: ${(error as Error).message.split('\n')[0]}`);
    return 1;
  }
}
