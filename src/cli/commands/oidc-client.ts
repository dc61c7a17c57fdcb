import { parseArgs } from 'node:util';
import { CLI_CONTEXT } from '../../domain/audit/events.ts';
import { clientRegistrationJson, type OidcClientProblem } from '../../domain/oidc/clients.ts';
import type { OidcClient } from '../../domain/ports.ts';
import { type CliIo, CliUsageError, type CommandRun } from '../command.ts';
import { CliError, type CliContext, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';


function printTable(io: CliIo, context: CliContext, clients: readonly OidcClient[]): void {
  const yesNo = (value: boolean) => say(context, value ? 'cli.list_users.yes' : 'cli.list_users.no');
  const rows = clients.map((client) => [
    client.clientId,
    client.name,
    say(context, client.public ? 'cli.oidc_client.kind_public' : 'cli.oidc_client.kind_confidential'),
    yesNo(client.firstParty),
    client.idTokenSigningAlg,
    client.redirectUris.join(' '),
  ]);
  const header = say(context, 'cli.oidc_client.header').split(/ {2}/);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

const PROBLEM_KEYS = {
  invalid_name: 'cli.oidc_client.invalid_name',
  no_redirect_uri: 'cli.oidc_client.no_redirect_uri',
  too_many_uris: 'cli.oidc_client.too_many_uris',
  invalid_redirect_uri: 'cli.oidc_client.invalid_redirect_uri',
  invalid_post_logout_redirect_uri: 'cli.oidc_client.invalid_post_logout_redirect_uri',
  invalid_alg: 'cli.oidc_client.invalid_alg',
  invalid_auth_method: 'cli.oidc_client.invalid_auth_method',
} as const satisfies Record<OidcClientProblem, string>;

async function add(args: string[], io: CliIo, context: CliContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'first-party': { type: 'boolean' },
      public: { type: 'boolean' },
      alg: { type: 'string' },
      'auth-method': { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.name === undefined) throw new CliError({ key: 'cli.oidc_client.invalid_name' }, 2);
  return withServices(readConfig(context), async (deps) => {
    const result = await deps.oidc.clients.add(
      {
        name: values.name!,
        redirectUris: values['redirect-uri'] ?? [],
        postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
        firstParty: values['first-party'] === true,
        public: values.public === true,
        ...(values.alg === undefined ? {} : { idTokenSigningAlg: values.alg }),
        ...(values['auth-method'] === undefined ? {} : { tokenEndpointAuthMethod: values['auth-method'] }),
      },
      CLI_CONTEXT,
    );
    if (!result.ok) throw new CliError({ key: PROBLEM_KEYS[result.reason], params: { value: result.value ?? '' } }, 2);
    const { client, clientSecret } = result;
    if (values.json) {
      io.out(JSON.stringify(clientSecret === undefined ? { client_id: client.clientId } : { client_id: client.clientId, client_secret: clientSecret }));
      return 0;
    }
    io.out(say(context, 'cli.oidc_client.added', { name: client.name }));
    io.out(say(context, 'cli.oidc_client.client_id', { id: client.clientId }));
    if (clientSecret !== undefined) {
      io.out(say(context, 'cli.oidc_client.client_secret', { secret: clientSecret }));
      io.out(say(context, 'cli.oidc_client.secret_once'));
    } else {
      io.out(say(context, 'cli.oidc_client.public_note'));
    }
    return 0;
  });
}

async function list(args: string[], io: CliIo, context: CliContext): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: false });
  return withServices(readConfig(context), async (deps) => {
    const clients = await deps.oidc.clients.list();
    if (values.json) io.out(JSON.stringify(clients.map(clientRegistrationJson)));
    else if (clients.length === 0) io.out(say(context, 'cli.oidc_client.empty'));
    else printTable(io, context, clients);
    return 0;
  });
}

async function remove(args: string[], io: CliIo, context: CliContext): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  const [clientId, ...rest] = positionals;
  if (!clientId || rest.length > 0) throw new CliUsageError();
  return withServices(readConfig(context), async (deps) => {
    const result = await deps.oidc.clients.remove(clientId, CLI_CONTEXT);
    if (!result.ok) throw new CliError({ key: 'cli.oidc_client.unknown', params: { id: clientId } });
    io.out(say(context, 'cli.oidc_client.removed', { name: result.client.name, id: clientId }));
    return 0;
  });
}

/**
 * `gatehouse oidc-client add --name N --redirect-uri URI [--redirect-uri URI …]
 * [--post-logout-redirect-uri URI …] [--first-party] [--public] [--alg ES256|RS256]
 * [--auth-method client_secret_basic|client_secret_post] [--json]`,
 * `gatehouse oidc-client list [--json]`, `gatehouse oidc-client remove <client-id>`.
 * `add` prints the client id and (unless `--public`) the secret, once: with `--json`,
 * exactly `{"client_id","client_secret"}` on stdout. `list` never prints a secret. Each change
 * is audited (channel `cli`); `remove` revokes every grant and token issued to the client.
 */
export const oidcClient: CommandRun = async (args, io, context) => {
  const [subcommand, ...rest] = args;
  if (subcommand === 'add') return add(rest, io, context);
  if (subcommand === 'list') return list(rest, io, context);
  if (subcommand === 'remove') return remove(rest, io, context);
  throw new CliUsageError();
};
