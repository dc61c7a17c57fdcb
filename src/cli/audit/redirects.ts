/**
 * Open redirects (ASVS v5.0.0-3.7.2): after sign-in, and from /login while signed in, `next`
 * and `rd` pointing at another site (absolute, scheme-relative, backslash) never send the
 * browser off this origin.
 */
import { fail, pass, type Probe } from './probe.ts';

const TARGETS = ['https://evil.test/', '//evil.test/', '/\\evil.test/', '/%5Cevil.test/', 'https:evil.test'];

const openRedirect: Probe = {
  id: 'redirect.next-rd',
  family: 'redirect',
  needs: ['primary'],
  async run(ctx) {
    let tries = 0;
    for (const parameter of ['next', 'rd'] as const) {
      for (const target of TARGETS) {
        tries += 1;
        const signedIn = await ctx.signIn(ctx.primary!, { [parameter]: target });
        const to = new URL(signedIn.location ?? '/', ctx.base);
        if (to.origin !== ctx.base.origin) return fail(`POST /login?${parameter}=${target} → ${signedIn.status} Location: ${signedIn.location}`);
        const again = await signedIn.session.get(`/login?${parameter}=${encodeURIComponent(target)}`);
        const then = new URL(again.location ?? '/', ctx.base);
        if (then.origin !== ctx.base.origin) return fail(`GET /login?${parameter}=${target} while signed in → ${again.status} Location: ${again.location}`);
      }
    }
    return pass(`${tries} sign-ins with next/rd = https://evil.test, //evil.test, /\\evil.test, … → stayed on ${ctx.base.origin}`);
  },
};

export const redirectProbes: Probe[] = [openRedirect];
