/**
 * `gatehouse <command>`: dispatch, `--help`, and the error contract — bad input exits
 * non-zero with one line on stderr, and nothing printed ever holds a password or hash.
 *
 * Commands are a registry: name, summary and usage here, the code behind `load()`, imported
 * only when that command runs. `gatehouse --help` and `gatehouse secret` therefore load
 * neither the database drivers nor Fastify nor the hashing pool.
 */
import { readFileSync } from 'node:fs';
import { ROLES } from '../domain/users/user.ts';
import { CliError, type CliContext, type CliIo, CliUsageError, type CommandSpec } from './command.ts';
import { cliLocale, renderCliText, say } from './messages.ts';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'serve',
    summary: 'cli.summary.serve',
    usage: 'gatehouse serve',
    load: async () => (await import('./commands/serve.ts')).serve,
  },
  {
    name: 'migrate',
    summary: 'cli.summary.migrate',
    usage: 'gatehouse migrate',
    load: async () => (await import('./commands/migrate.ts')).migrate,
  },
  {
    name: 'create-admin',
    summary: 'cli.summary.create-admin',
    usage: 'gatehouse create-admin --username U --email E   (password on stdin)',
    load: async () => (await import('./commands/create-admin.ts')).createAdmin,
  },
  {
    name: 'set-role',
    summary: 'cli.summary.set-role',
    usage: `gatehouse set-role <username> <${ROLES.join('|')}>`,
    load: async () => (await import('./commands/set-role.ts')).setRole,
  },
  {
    name: 'disable',
    summary: 'cli.summary.disable',
    usage: 'gatehouse disable <username>',
    load: async () => (await import('./commands/set-disabled.ts')).disable,
  },
  {
    name: 'enable',
    summary: 'cli.summary.enable',
    usage: 'gatehouse enable <username>',
    load: async () => (await import('./commands/set-disabled.ts')).enable,
  },
  {
    name: 'revoke-sessions',
    summary: 'cli.summary.revoke-sessions',
    usage: 'gatehouse revoke-sessions <username>',
    load: async () => (await import('./commands/revoke-sessions.ts')).revokeSessions,
  },
  {
    name: 'list-users',
    summary: 'cli.summary.list-users',
    usage: `gatehouse list-users [--query PREFIX] [--role ${ROLES.join('|')}] [--disabled] [--unverified] [--limit N] [--json]`,
    load: async () => (await import('./commands/list-users.ts')).listUsers,
  },
  {
    name: 'delete-user',
    summary: 'cli.summary.delete-user',
    usage: 'gatehouse delete-user <username> [--yes]',
    load: async () => (await import('./commands/delete-user.ts')).deleteUser,
  },
  {
    name: 'send-reset',
    summary: 'cli.summary.send-reset',
    usage: 'gatehouse send-reset <username>',
    load: async () => (await import('./commands/send-reset.ts')).sendReset,
  },
  {
    name: 'unblock',
    summary: 'cli.summary.unblock',
    usage: 'gatehouse unblock <username>',
    load: async () => (await import('./commands/unblock.ts')).unblock,
  },
  {
    name: 'import-werkzeug',
    summary: 'cli.summary.import-werkzeug',
    usage: 'gatehouse import-werkzeug <users.db>',
    load: async () => (await import('./commands/import-werkzeug.ts')).importWerkzeug,
  },
  {
    name: 'mail-queue',
    summary: 'cli.summary.mail-queue',
    usage: 'gatehouse mail-queue [--json]',
    load: async () => (await import('./commands/mail-queue.ts')).mailQueue,
  },
  {
    name: 'oidc-client',
    summary: 'cli.summary.oidc-client',
    usage:
      'gatehouse oidc-client add --name N --redirect-uri URI [--redirect-uri URI …] [--post-logout-redirect-uri URI …] [--first-party] [--public] [--alg ES256|RS256] [--auth-method client_secret_basic|client_secret_post] [--json] | list [--json] | remove <client-id>',
    load: async () => (await import('./commands/oidc-client.ts')).oidcClient,
  },
  {
    name: 'oidc-keys',
    summary: 'cli.summary.oidc-keys',
    usage: 'gatehouse oidc-keys rotate',
    load: async () => (await import('./commands/oidc-keys.ts')).oidcKeys,
  },
  {
    name: 'secret',
    summary: 'cli.summary.secret',
    usage: 'gatehouse secret',
    load: async () => (await import('./commands/secret.ts')).secret,
  },
  {
    name: 'audit-verify',
    summary: 'cli.summary.audit-verify',
    usage: 'gatehouse audit-verify',
    load: async () => (await import('./commands/audit-verify.ts')).auditVerify,
  },
  {
    name: 'doctor',
    summary: 'cli.summary.doctor',
    usage: 'gatehouse doctor [--url URL] [--instances N] [--json]',
    load: async () => (await import('./commands/doctor.ts')).doctor,
  },
  {
    name: 'audit',
    summary: 'cli.summary.audit',
    usage: 'gatehouse audit <base-url> [--user NAME (password on stdin)] [--only FAMILY] [--login-max-failures N] [--cleanup-wait SECONDS] [--mailbox DIR] [--json]',
    load: async () => (await import('./commands/audit.ts')).audit,
  },
];

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  // On a terminal only: rewritten in place (carriage return, clear to end of line).
  ...(process.stderr.isTTY ? { progress: (line: string) => process.stderr.write(`\r${line}\u001b[K`) } : {}),
};

function processContext(): CliContext {
  return { env: process.env, stdin: process.stdin, loadDotEnv: true };
}

/** package.json's version, read when asked: `--version` opens no database and loads no app code. */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return (manifest as { version: string }).version;
}

/** A command's summary; `set-role` names the roles. */
function summaryOf(context: CliContext, command: CommandSpec): string {
  return say(context, command.summary, { roles: ROLES.join(', ') });
}

function usage(context: CliContext): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    say(context, 'cli.usage.header'),
    '',
    say(context, 'cli.usage.commands'),
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${summaryOf(context, c)}`),
    '',
    say(context, 'cli.usage.more'),
  ].join('\n');
}

/**
 * Runs one command and returns its exit code; never throws. `context` defaults to this
 * process (its environment, `.env`, stdin); tests pass their own to run commands in-process.
 */
export async function runCli(argv: string[], io: CliIo = consoleIo, given: CliContext = processContext()): Promise<number> {
  const context: CliContext = { ...given, locale: given.locale ?? cliLocale(given.env) };
  const [name, ...args] = argv;
  if (!name) {
    io.err(usage(context));
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage(context));
    return 0;
  }
  if (name === '--version' || name === '-V') {
    if (args.length > 0) {
      io.err(say(context, 'cli.usage.line', { usage: 'gatehouse --version' }));
      return 2;
    }
    io.out(say(context, 'cli.version', { version: packageVersion() }));
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(say(context, 'cli.unknown_command', { name }));
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`${say(context, 'cli.usage.line', { usage: command.usage })}\n\n${summaryOf(context, command)}`);
    return 0;
  }
  try {
    const run = await command.load();
    return await run(args, io, context);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.err(`gatehouse ${name}: ${say(context, 'cli.usage.line', { usage: command.usage })}`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      for (const line of renderCliText(context, error.text).split('\n')) io.err(`gatehouse ${name}: ${line}`);
      return error.exitCode;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`gatehouse ${name}: ${say(context, 'cli.bad_arguments', { reason: (error as Error).message.split('\n')[0]!, usage: command.usage })}`);
      return 2;
    }
    io.err(`gatehouse ${name}: ${say(context, 'cli.failed', { reason: (error as Error).message.split('\n')[0]! })}`);
    return 1;
  }
}
