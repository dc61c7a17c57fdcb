import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { DEFAULT_RETIRED_KEY_DAYS } from '../../domain/oidc/signing-keys.ts';
import { CliUsageError, type CommandRun } from '../command.ts';
import { readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/**
 * `gatehouse oidc-keys rotate`: a new ES256 and RS256 signing key become current; the
 * previous ones are retired but stay published (for verification) for 7 days. Running servers
 * pick the new keys up by themselves. Audited as `oidc.keys_rotated` (channel `cli`).
 */
export const oidcKeys: CommandRun = async (args, io, context) => {
  if (args.length !== 1 || args[0] !== 'rotate') throw new CliUsageError();
  return withServices(readConfig(context), async (deps) => {
    const { kids } = await deps.oidc.signingKeys.rotate(CLI_CONTEXT);
    io.out(say(context, 'cli.oidc_keys.rotated', { kids: kids.join(', '), days: DEFAULT_RETIRED_KEY_DAYS }));
    return 0;
  });
};
