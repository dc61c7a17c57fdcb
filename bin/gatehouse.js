#!/usr/bin/env node
// Entry point of the `gatehouse` CLI. The sources are TypeScript that Node.js 24 runs as is
// (type stripping: erasable syntax only, checked by `tsc --noEmit`), so nothing is compiled
// between `npm ci` and a running server.
import { youngGenerationRelaunch } from '../src/cli/young-generation.ts';

const relaunch = youngGenerationRelaunch(process);
if (relaunch) process.execve(...relaunch);

const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
