/**
 * Account enumeration (ASVS v5.0.0-6.3.8): sign-in of an unknown user and a wrong password give
 * the same status and page; registration with a taken address answers as a fresh one does;
 * forgot-password answers the same for a known and an unknown address; and sign-in takes about
 * as long either way (medians of a few tries each, flagged only when clearly apart).
 */
import type { AuditResponse } from './client.ts';
import type { AuditContext } from './probe.ts';
import { fail, pass, type Probe, randomSuffix, skip } from './probe.ts';

const TIMING_TRIES = 4;

/** A page with what legitimately differs between two answers taken out: echoed input, tokens, nonces. */
function normalised(response: AuditResponse, echoed: string[]): string {
  let body = response.body;
  for (const value of echoed) body = body.split(value).join('¤').split(encodeURIComponent(value)).join('¤');
  return body.replace(/value="[^"]*"/g, '').replace(/nonce="[^"]*"|nonce-[A-Za-z0-9+/=_-]+/g, '');
}

function same(a: AuditResponse, b: AuditResponse, echoed: string[]): boolean {
  return a.status === b.status && a.location === b.location && normalised(a, echoed) === normalised(b, echoed);
}

async function signIn(ctx: AuditContext, username: string, password: string): Promise<AuditResponse> {
  const client = ctx.client();
  await client.get('/login');
  return client.post('/login', { username, password });
}

const signInMessage: Probe = {
  id: 'enumeration.sign-in-message',
  family: 'enumeration',
  needs: ['target'],
  async run(ctx) {
    const known = ctx.target!.username;
    const unknown = `audit-${randomSuffix()}`;
    const wrong = await signIn(ctx, known, 'wrong-password-audit');
    const nobody = await signIn(ctx, unknown, 'wrong-password-audit');
    if (!same(wrong, nobody, [known, unknown])) return fail(`POST /login unknown user → ${nobody.status}, wrong password → ${wrong.status}: the answers differ`);
    return pass(`POST /login unknown user and wrong password → both ${wrong.status}, the same page`);
  },
};

const registerMessage: Probe = {
  id: 'enumeration.register-taken-email',
  family: 'enumeration',
  needs: ['primary'],
  async run(ctx) {
    if (!ctx.registration) return skip('cli.audit.skip.registration_closed');
    const password = `Audit~${randomSuffix(16)}${randomSuffix(16)}`;
    ctx.secret(password);
    const taken = await ctx.register({ username: `audit-${randomSuffix()}`, email: ctx.primary!.email, password });
    const fresh = ctx.registration;
    if (taken.status !== fresh.status || taken.location !== fresh.location) return fail(`POST /register with a taken email → ${taken.status} ${taken.location ?? ''}; a fresh one → ${fresh.status} ${fresh.location ?? ''}`);
    return pass(`POST /register with a taken email and with a fresh one → both ${fresh.status} ${fresh.location ?? ''}`);
  },
};

const forgotMessage: Probe = {
  id: 'enumeration.forgot-password',
  family: 'enumeration',
  needs: ['primary'],
  async run(ctx) {
    const known = ctx.primary!.email;
    const unknown = `audit-${randomSuffix()}@audit.invalid`;
    const ask = async (email: string) => {
      const client = ctx.client();
      await client.get('/forgot-password');
      return client.post('/forgot-password', { email });
    };
    const a = await ask(known);
    const b = await ask(unknown);
    if (!same(a, b, [known, unknown])) return fail(`POST /forgot-password known address → ${a.status}, unknown → ${b.status}: the answers differ`);
    return pass(`POST /forgot-password known and unknown address → both ${a.status}, the same answer`);
  },
};

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

const signInTiming: Probe = {
  id: 'enumeration.sign-in-timing',
  family: 'enumeration',
  needs: ['target'],
  async run(ctx) {
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so drift in the server's load falls on both sides.
    for (let i = 0; i < TIMING_TRIES; i += 1) {
      known.push((await signIn(ctx, ctx.target!.username, `wrong-${randomSuffix()}`)).ms);
      unknown.push((await signIn(ctx, `audit-${randomSuffix()}`, `wrong-${randomSuffix()}`)).ms);
    }
    const [mk, mu] = [median(known), median(unknown)];
    const apart = Math.abs(mk - mu) > Math.max(25, 0.5 * Math.min(mk, mu)) && (Math.min(...known) > Math.max(...unknown) || Math.min(...unknown) > Math.max(...known));
    const evidence = `median of ${TIMING_TRIES}: wrong password ${Math.round(mk)} ms, unknown user ${Math.round(mu)} ms`;
    return apart ? fail(`${evidence} (clearly apart)`) : pass(evidence);
  },
};

export const enumerationProbes: Probe[] = [signInTiming, signInMessage, registerMessage, forgotMessage];
