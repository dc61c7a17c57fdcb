// Why `gatehouse serve` re-executes itself once with --max-semi-space-size=16.
//
// V8's young generation grows under a high allocation rate and is not given back after a full
// GC. Node 24 (V8 13.6, no pointer compression) lets each semi-space grow to 64 MiB, four
// times Node 20's 16 MiB, and every isolate has its own: the event loop's and each
// password-hashing thread's. Measured with bench/figures/b5-memory.mjs (10 000 sign-ins +
// 10 000 refused sign-ins, SQLite, 2 cores): RSS after start 311 MiB and growth +212 MiB at
// Node 24's default, 248 MiB and +41 MiB at 16; at 100 000 + 100 000, +205.5 against +24.6 MiB.
// Throughput moved within this machine's noise (README, Performance). The flag is
// process-wide, so the hashing threads get it too.
//
// V8 reads it only when an isolate is created, so it cannot be set from inside the process;
// process.execve replaces the process image (same pid, same stdio, signals and exit code go
// straight to the new image), before anything else is loaded (≈ 40 ms once at start).
// An operator's own --max-semi-space-size (on the command line or in NODE_OPTIONS) wins, and
// so does GATEHOUSE_KEEP_NODE_FLAGS=1; platforms without execve (Windows) run as they are.

export const SEMI_SPACE_MIB = 16;
const FLAG = '--max-semi-space-size';

export interface LaunchedProcess {
  argv: readonly string[];
  execArgv: readonly string[];
  execPath: string;
  env: NodeJS.ProcessEnv;
  execve?: unknown;
}

/**
 * The arguments of process.execve for a relaunch of this process with the flag, or undefined
 * when it should run as it is: not `serve`, the flag already chosen, or no execve.
 */
export function youngGenerationRelaunch({ argv, execArgv, execPath, env, execve }: LaunchedProcess): [string, string[], NodeJS.ProcessEnv] | undefined {
  if (argv[2] !== 'serve' || typeof execve !== 'function') return undefined;
  if (env.GATEHOUSE_KEEP_NODE_FLAGS === '1') return undefined;
  // V8 takes --max_semi_space_size as well, and the value as the next argument.
  const chosen = (flags: readonly string[]) => flags.some((flag) => flag.replaceAll('_', '-').split('=')[0] === FLAG);
  if (chosen(execArgv) || chosen((env.NODE_OPTIONS ?? '').split(/\s+/))) return undefined;
  return [execPath, [execPath, `${FLAG}=${SEMI_SPACE_MIB}`, ...execArgv, ...argv.slice(1)], env];
}
