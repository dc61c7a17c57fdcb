/**
 * What CLI commands share: configuration from the environment and `.env`, and the domain
 * services over the configured database, closed when the command ends. The services get the
 * same SECRET_KEY the server resolves (environment, else `<DATA_DIR>/secret.key` outside
 * production), so every key derived from it for data at rest matches the server's.
 */
import { availableParallelism } from 'node:os';
import { ConfigError, type Config, loadConfig, loadDotEnv } from '../config.ts';
import type { AppDependencies } from '../dependencies.ts';
import { resolveSecretKey } from '../secret-key.ts';
import { CliError, type CliContext } from './command.ts';
import { cliLocale, say } from './messages.ts';

export { CliError, type CliContext, type CliIo } from './command.ts';

export function readConfig(context: CliContext): Readonly<Config> {
  if (context.loadDotEnv) loadDotEnv();
  try {
    return loadConfig(context.env, availableParallelism(), context.locale ?? cliLocale(context.env));
  } catch (error) {
    // One line per problem, each naming its setting.
    if (error instanceof ConfigError) throw new CliError(error.problems.map((problem) => say(context, 'cli.configuration', { problem })).join('\n'));
    throw error;
  }
}

/**
 * Runs `work` with the app's services, keyed by the server's own SECRET_KEY (resolved exactly
 * as src/main.ts does; in production a missing or weak key is a one-line error, exit 1).
 */
export async function withServices<T>(config: Config, work: (deps: AppDependencies) => Promise<T>): Promise<T> {
  // Technical detail (drivers, the secret check) is passed through; the CLI's own sentences are keys.
  const secret = resolveSecretKey({ secretKey: config.secretKey, production: config.env === 'production', dataDir: config.dataDir });
  if (!secret.ok) throw new CliError({ key: secret.key, params: secret.params });
  // Loaded here, not at the top: `secret` and `--help` never need the app's services.
  const { createDependencies } = await import('../dependencies.ts');
  const deps = await createDependencies(config, secret.key);
  try {
    return await work(deps);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/no such table|does not exist|doesn't exist/i.test(message)) {
      throw new CliError({ key: 'cli.no_schema' });
    }
    const code = (error as { code?: string }).code ?? '';
    if (/^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH)$/.test(code) || /ECONNREFUSED|ENOTFOUND/.test(message)) {
      throw new CliError({ key: 'cli.database_unreachable', params: { reason: message } });
    }
    throw error;
  } finally {
    await deps.close();
  }
}
