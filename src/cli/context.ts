/**
 * What CLI commands share: configuration from the environment and `.env`, and the domain
 * services over the configured database, closed when the command ends.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ConfigError, type Config, loadConfig, loadDotEnv } from '../config.ts';
import { type AppDependencies, createDependencies } from '../dependencies.ts';

export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export function readConfig(): Readonly<Config> {
  loadDotEnv();
  try {
    return loadConfig(process.env, availableParallelism());
  } catch (error) {
    // One line per problem, each naming its setting.
    if (error instanceof ConfigError) throw new CliError(error.problems.map((problem) => `configuration: ${problem}`).join('\n'));
    throw error;
  }
}

/** Runs `work` with the app's services; the CLI issues no CSRF tokens, so a throwaway key serves. */
export async function withServices<T>(config: Config, work: (deps: AppDependencies) => Promise<T>): Promise<T> {
  const deps = await createDependencies(config, randomBytes(32).toString('hex'));
  try {
    return await work(deps);
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/no such table|does not exist|doesn't exist/i.test(message)) {
      throw new CliError('the database has no schema yet: run `gatehouse migrate` first');
    }
    const code = (error as { code?: string }).code ?? '';
    if (/^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH)$/.test(code) || /ECONNREFUSED|ENOTFOUND/.test(message)) {
      throw new CliError(`database unreachable: ${message}`);
    }
    throw error;
  } finally {
    await deps.close();
  }
}
