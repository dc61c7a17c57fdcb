// Property: Gatehouse's forward-auth works behind Debian's real nginx (auth_request), configured
// by docs/forward-auth/nginx.conf: the cases of forward-auth-cases.ts (issue #13).
import { existsSync } from 'node:fs';
import { describe } from 'node:test';
import { forwardAuthCases } from './forward-auth-cases.ts';
import { startNginx } from './proxy-harness.ts';

const missing = existsSync('/usr/sbin/nginx') ? false : 'nginx is not installed (/usr/sbin/nginx; .ci/run installs it)';
describe('forward-auth behind nginx', { skip: missing }, () => forwardAuthCases('nginx', startNginx));
