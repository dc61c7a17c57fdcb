/**
 * Security headers on every answer (ASVS v5.0.0-3.4.x): a CSP whose scripts allow neither
 * 'unsafe-inline' nor 'unsafe-eval', nosniff, framing refused, a Referrer-Policy, and HSTS when
 * the base URL is https. Checked on a page, an error page and the API.
 */
import type { AuditContext } from './probe.ts';
import { fail, pass, type Probe, skip } from './probe.ts';

const PATHS = ['/', '/login', '/no-such-page-audit', '/api/v1/csrf'];

function headerProbe(id: string, check: (headers: Headers, ctx: AuditContext) => string | undefined, describe: string): Probe {
  return {
    id,
    family: 'headers',
    async run(ctx) {
      if (id === 'headers.hsts' && !ctx.https) return skip('cli.audit.skip.not_https');
      const client = ctx.client();
      for (const path of PATHS) {
        const response = await client.get(path);
        const problem = check(response.headers, ctx);
        if (problem) return fail(`GET ${path} → ${response.status}: ${problem}`);
      }
      return pass(`${PATHS.join(', ')}: ${describe}`);
    },
  };
}

function scriptSources(csp: string): string {
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name = '', ...values]) => [name.toLowerCase(), values.join(' ')]));
  return directives.get('script-src') ?? directives.get('default-src') ?? '';
}

export const headerProbes: Probe[] = [
  headerProbe(
    'headers.csp',
    (headers) => {
      const csp = headers.get('content-security-policy');
      if (!csp) return 'no Content-Security-Policy';
      const scripts = scriptSources(csp);
      if (!scripts) return 'the CSP does not limit scripts (no script-src or default-src)';
      if (/'unsafe-(inline|eval)'|\*/.test(scripts) && !/'nonce-|'strict-dynamic'/.test(scripts)) return `script sources allow ${/'unsafe-[a-z]+'|\*/.exec(scripts)?.[0]}`;
      return undefined;
    },
    "CSP limits scripts, no 'unsafe-inline' or 'unsafe-eval'",
  ),
  headerProbe('headers.nosniff', (headers) => (headers.get('x-content-type-options')?.toLowerCase() === 'nosniff' ? undefined : 'no X-Content-Type-Options: nosniff'), 'X-Content-Type-Options: nosniff'),
  headerProbe(
    'headers.framing',
    (headers) => {
      const csp = headers.get('content-security-policy') ?? '';
      const xfo = headers.get('x-frame-options')?.toUpperCase();
      return /frame-ancestors\s+('none'|'self')/.test(csp) || xfo === 'DENY' || xfo === 'SAMEORIGIN' ? undefined : "neither frame-ancestors 'none' nor X-Frame-Options";
    },
    "frame-ancestors 'none' / X-Frame-Options",
  ),
  headerProbe(
    'headers.referrer-policy',
    (headers) => {
      const policy = headers.get('referrer-policy');
      return policy && !/unsafe-url/i.test(policy) ? undefined : policy ? `Referrer-Policy: ${policy}` : 'no Referrer-Policy';
    },
    'Referrer-Policy',
  ),
  headerProbe(
    'headers.hsts',
    (headers) => {
      const hsts = headers.get('strict-transport-security');
      return hsts && Number(/max-age=(\d+)/i.exec(hsts)?.[1] ?? 0) > 0 ? undefined : 'no Strict-Transport-Security';
    },
    'Strict-Transport-Security',
  ),
];
