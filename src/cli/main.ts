/**
 * `gatehouse <command>`: dispatch, `--help`, and the error contract — bad input exits
 * non-zero with one line on stderr, and nothing printed ever holds a password or hash.
 *
 * Commands are a registry: name, summary and usage here, the code behind `load()`, imported
 * only when that command runs. `gatehouse --help` and `gatehouse secret` therefore load
 * neither the database drivers nor Fastify nor the hashing pool.
 */
import { ROLES } from '../domain/users/user.ts';
import { CliError, type CliContext, type CliIo, CliUsageError, type CommandSpec } from './command.ts';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'start the web server (what `npm start` runs); migrates first unless MIGRATE=0',
    usage: 'gatehouse serve',
    load: async () => (await import('./commands/serve.ts')).serve,
  },
  {
    name: 'migrate',
    summary: 'apply pending schema migrations to DATABASE_URL and exit',
    usage: 'gatehouse migrate',
    load: async () => (await import('./commands/migrate.ts')).migrate,
  },
  {
    name: 'create-admin',
    summary: 'create an admin; the password is read from stdin (a prompt, or one piped line), never argv',
    usage: 'gatehouse create-admin --username U --email E   (password on stdin)',
    load: async () => (await import('./commands/create-admin.ts')).createAdmin,
  },
  {
    name: 'set-role',
    summary: `set a user's role (${ROLES.join(', ')}); applies on the user's next request`,
    usage: `gatehouse set-role <username> <${ROLES.join('|')}>`,
    load: async () => (await import('./commands/set-role.ts')).setRole,
  },
  {
    name: 'disable',
    summary: 'disable an account and end its sessions',
    usage: 'gatehouse disable <username>',
    load: async () => (await import('./commands/set-disabled.ts')).disable,
  },
  {
    name: 'enable',
    summary: 'enable a disabled account',
    usage: 'gatehouse enable <username>',
    load: async () => (await import('./commands/set-disabled.ts')).enable,
  },
  {
    name: 'revoke-sessions',
    summary: 'end every session of a user',
    usage: 'gatehouse revoke-sessions <username>',
    load: async () => (await import('./commands/revoke-sessions.ts')).revokeSessions,
  },
  {
    name: 'secret',
    summary: 'print a fresh 256-bit secret (hex) for SECRET_KEY',
    usage: 'gatehouse secret',
    load: async () => (await import('./commands/secret.ts')).secret,
  },
];

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function processContext(): CliContext {
  return { env: process.env, stdin: process.stdin, loadDotEnv: true };
}

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return ['usage: gatehouse <command> [options]', '', 'commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`), '', 'Run `gatehouse <command> --help` for its usage.'].join('\n');
}

/**
 * Runs one command and returns its exit code; never throws. `context` defaults to this
 * process (its environment, `.env`, stdin); tests pass their own to run commands in-process.
 */
export async function runCli(argv: string[], io: CliIo = consoleIo, context: CliContext = processContext()): Promise<number> {
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
    const run = await command.load();
    return await run(args, io, context);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`gatehouse ${name}: usage: ${command.usage}`);
      return error.exitCode;
    }
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
