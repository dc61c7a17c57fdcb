#!/usr/bin/env node
// Entry point of the `gatehouse` CLI. Sources are TypeScript, loaded through tsx's
// ESM hooks so there is no build step between `npm ci` and a running server.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
