import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { normalizeUsername } from '../../domain/users/user.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { CliError, type CliContext, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** On a terminal: the operator types the username back; anything else leaves the account alone. */
async function confirmOnTerminal(context: CliContext, username: string): Promise<boolean> {
  const prompt = createInterface({ input: context.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await prompt.question(say(context, 'cli.delete_user.confirm', { username }));
    return normalizeUsername(answer) === normalizeUsername(username);
  } finally {
    prompt.close();
  }
}

/**
 * `gatehouse delete-user <username> [--yes]`: deletes the account and everything that is
 * personal to it: sessions, single-use tokens, known devices, queued mail, the row itself.
 * The audit log keeps `user.deleted` with the numeric id only (its earlier events name the
 * same id, which now points at nobody: a pseudonymous record). The last active admin is
 * refused.
 *
 * Destructive, so never by accident: on a terminal it asks for the username to be typed back
 * (`--yes` skips the question); when stdin is not a terminal (a script, a pipe) it asks
 * nothing and refuses unless `--yes` is given (exit 2, before the database is opened).
 */
export const deleteUser: CommandRun = async (args, io, context) => {
  const { values, positionals } = parseArgs({ args, options: { yes: { type: 'boolean', short: 'y' } }, strict: true, allowPositionals: true });
  const [username, ...rest] = positionals;
  if (!username || rest.length > 0) throw new CliUsageError();
  const interactive = !values.yes && context.stdin.isTTY === true;
  if (!values.yes && !interactive) throw new CliError({ key: 'cli.delete_user.needs_yes', params: { username } }, 2);
  return withServices(readConfig(context), async (deps) => {
    const user = await deps.users.findUserByUsername(normalizeUsername(username));
    if (!user) throw new CliError({ key: 'cli.unknown_user', params: { username } });
    if (interactive && !(await confirmOnTerminal(context, user.username))) {
      throw new CliError({ key: 'cli.delete_user.not_confirmed', params: { username: user.username } });
    }
    const result = await deps.userService.deleteUser({ id: user.id }, CLI_CONTEXT);
    if (!result.ok) {
      throw new CliError({ key: result.reason === 'last_admin' ? 'cli.last_admin' : 'cli.unknown_user', params: { username } });
    }
    io.out(say(context, 'cli.delete_user.deleted', { username: user.username, id: user.id }));
    return 0;
  });
};
