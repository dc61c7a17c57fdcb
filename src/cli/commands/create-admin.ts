import { parseArgs } from 'node:util';
import { describeProblem } from '../../messages/problems.ts';
import type { CommandRun } from '../command.ts';
import { CliError, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';
import { readNewPassword } from '../prompt.ts';

/** `gatehouse create-admin --username U --email E`: the password comes from stdin, never argv. */
export const createAdmin: CommandRun = async (args, io, context) => {
  const { values } = parseArgs({ args, options: { username: { type: 'string' }, email: { type: 'string' } }, strict: true });
  if (!values.username || !values.email) throw new CliError({ key: 'cli.options_required' }, 2);
  const config = readConfig(context);
  const password = await readNewPassword(context.stdin, (key) => say(context, key));
  if (!password.ok) throw new CliError({ key: password.reason });
  return withServices(config, async (deps) => {
    const result = await deps.userService.registerUser({
      username: values.username!,
      email: values.email!,
      password: password.password,
      role: 'admin',
    });
    if (result.kind === 'invalid') throw new CliError(result.problems.map((p) => `${p.field}: ${describeProblem(p, context.locale)}`).join(' '));
    if (result.kind === 'conflict') throw new CliError({ key: `cli.conflict_${result.field}` });
    io.out(say(context, 'cli.created_admin', { username: result.user.username, id: result.user.id }));
    return 0;
  });
};
