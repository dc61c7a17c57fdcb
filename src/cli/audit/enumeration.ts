/**
 * Account enumeration (ASVS v5.0.0-6.3.8): sign-in of an unknown user and a wrong password give
 * the same status and page; registration with a taken address answers as a fresh one does;
 * forgot-password answers the same for a known and an unknown address; and sign-in,
 * registration and forgot-password each take about as long either way (medians of a few tries
 * each, flagged only when clearly apart).
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

/**
 * Times `a` and `b` `tries` times each, interleaved so drift in the server's load falls on both
 * sides, and calls them clearly apart only when the medians differ by more than 25 ms and half
 * the faster one, and every try of one side is slower than every try of the other: a hash or
 * an inline mail send (hundreds of ms) shows; scheduling noise (a few ms) does not.
 */
async function compareTimings(tries: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number; b: number; apart: boolean }> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < tries; i += 1) {
    as.push(await a());
    bs.push(await b());
  }
  const [ma, mb] = [median(as), median(bs)];
  const apart = Math.abs(ma - mb) > Math.max(25, 0.5 * Math.min(ma, mb)) && (Math.min(...as) > Math.max(...bs) || Math.min(...bs) > Math.max(...as));
  return { a: ma, b: mb, apart };
}

const signInTiming: Probe = {
  id: 'enumeration.sign-in-timing',
  family: 'enumeration',
  needs: ['target'],
  async run(ctx) {
    const timing = await compareTimings(
      TIMING_TRIES,
      async () => (await signIn(ctx, ctx.target!.username, `wrong-${randomSuffix()}`)).ms,
      async () => (await signIn(ctx, `audit-${randomSuffix()}`, `wrong-${randomSuffix()}`)).ms,
    );
    const evidence = `median of ${TIMING_TRIES}: wrong password ${Math.round(timing.a)} ms, unknown user ${Math.round(timing.b)} ms`;
    return timing.apart ? fail(`${evidence} (clearly apart)`) : pass(evidence);
  },
};

/**
 * Three tries a side: each fresh try registers a throwaway (deleted at clean-up) and spends one
 * of the per-IP registrations an hour (REGISTER_MAX_PER_HOUR, 20 by default), as a taken
 * address does on Gatehouse; the whole audit spends about 11 of them.
 */
const REGISTER_TIMING_TRIES = 3;

const registerTiming: Probe = {
  id: 'enumeration.register-timing',
  family: 'enumeration',
  needs: ['primary'],
  async run(ctx) {
    if (!ctx.registration) return skip('cli.audit.skip.registration_closed');
    const statuses = new Set<number>();
    const attempt = async (email: () => string) => {
      const password = `Audit~${randomSuffix(16)}${randomSuffix(16)}`;
      ctx.secret(password);
      const started = performance.now();
      const answer = await ctx.register({ username: `audit-${randomSuffix()}`, email: email(), password });
      statuses.add(answer.status);
      return performance.now() - started;
    };
    const timing = await compareTimings(REGISTER_TIMING_TRIES, () => attempt(() => ctx.primary!.email), () => attempt(() => `audit-${randomSuffix()}@audit.invalid`));
    if (statuses.has(429)) return skip('cli.audit.skip.register_allowance');
    const evidence = `POST /register, median of ${REGISTER_TIMING_TRIES}: taken email ${Math.round(timing.a)} ms, fresh email ${Math.round(timing.b)} ms`;
    return timing.apart ? fail(`${evidence} (clearly apart)`) : pass(evidence);
  },
};

/**
 * Three tries a side: Gatehouse allows 5 reset mails an address an hour, and the known side
 * asks for the same address each time (with the message probe's one, and the token-reuse
 * probe's, that makes 5). A 429 on either side would time the throttle, not the lookup: skipped.
 */
const FORGOT_TIMING_TRIES = 3;

const forgotTiming: Probe = {
  id: 'enumeration.forgot-password-timing',
  family: 'enumeration',
  needs: ['primary'],
  async run(ctx) {
    const statuses = new Set<number>();
    const ask = async (email: string) => {
      const client = ctx.client();
      await client.get('/forgot-password');
      const answer = await client.post('/forgot-password', { email });
      statuses.add(answer.status);
      return answer.ms;
    };
    const timing = await compareTimings(FORGOT_TIMING_TRIES, () => ask(ctx.primary!.email), () => ask(`audit-${randomSuffix()}@audit.invalid`));
    if (statuses.has(429)) return skip('cli.audit.skip.forgot_throttled');
    const evidence = `POST /forgot-password, median of ${FORGOT_TIMING_TRIES}: known address ${Math.round(timing.a)} ms, unknown ${Math.round(timing.b)} ms`;
    return timing.apart ? fail(`${evidence} (clearly apart)`) : pass(evidence);
  },
};

export const enumerationProbes: Probe[] = [signInTiming, signInMessage, registerMessage, forgotMessage, registerTiming, forgotTiming];
