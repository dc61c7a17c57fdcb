/**
 * The shape of one CLI command, and what every command is handed: where to print, and the
 * environment and stdin it reads (the process's own, or a test's). This module imports
 * nothing, so `gatehouse --help` and `gatehouse secret` load no part of the app.
 */

import type { Locale, MessageKey, MessageParams } from '../messages/catalog.ts';

/**
 * What a CLI error says: a catalog sentence (rendered in the terminal's language), or
 * technical detail passed through as it is (a driver's or a validator's own words).
 */
export type CliText = string | { key: MessageKey; params?: MessageParams };

/** Bad input or a refused action: one line on stderr, then `exitCode` (2 for usage errors). */
export class CliError extends Error {
  readonly exitCode: number;
  readonly text: CliText;

  constructor(text: CliText, exitCode = 1) {
    super(typeof text === 'string' ? text : text.key);
    this.text = text;
    this.exitCode = exitCode;
  }
}

/** Wrong arguments: main.ts prints the command's usage line, exit 2. */
export class CliUsageError extends CliError {
  constructor() {
    super('wrong arguments', 2);
  }
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** A progress line that replaces the previous one (a terminal only; absent elsewhere). '' clears it. */
  progress?(line: string): void;
}

/** Where a command reads its input from; `runCli` defaults it to this process's. */
export interface CliContext {
  /** The environment `loadConfig` validates (process.env, or a test's own object). */
  env: Record<string, string | undefined>;
  /** The password source for `create-admin`: a TTY prompt, else its first line. */
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Read `.env` from the working directory into `env` first (the real process only). */
  loadDotEnv: boolean;
  /** The language of what is printed; from LC_ALL / LC_MESSAGES / LANG when absent. */
  locale?: Locale;
}

export type CommandRun = (args: string[], io: CliIo, context: CliContext) => Promise<number>;

/** What `--help` shows is here; the code that runs is loaded only when the command is. */
export interface CommandSpec {
  name: string;
  /** The catalog sentence that `--help` shows for the command. */
  summary: MessageKey;
  usage: string;
  load(): Promise<CommandRun>;
}
