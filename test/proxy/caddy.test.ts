// Property: Gatehouse's forward-auth works behind Debian's real Caddy (forward_auth), configured
// by docs/forward-auth/Caddyfile: the cases of forward-auth-cases.ts (issue #13).
import { existsSync } from 'node:fs';
import { describe } from 'node:test';
import { forwardAuthCases } from './forward-auth-cases.ts';
import { startCaddy } from './proxy-harness.ts';

const missing = existsSync('/usr/bin/caddy') ? false : 'caddy is not installed (/usr/bin/caddy; .ci/run installs it)';
describe('forward-auth behind Caddy', { skip: missing }, () => forwardAuthCases('caddy', startCaddy));
