/**
 * Brute force (ASVS v5.0.0-6.3.1): wrong passwords for one of the audit's own accounts are
 * answered 429 with Retry-After before LOGIN_MAX_FAILURES plus a few tries.
 */
import { fail, pass, type Probe } from './probe.ts';

const EXTRA_TRIES = 5;

const bruteForce: Probe = {
  id: 'bruteforce.sign-in',
  family: 'bruteforce',
  needs: ['target'],
  async run(ctx) {
    const limit = ctx.loginMaxFailures + EXTRA_TRIES;
    const statuses: number[] = [];
    for (let i = 1; i <= limit; i += 1) {
      const client = ctx.client();
      await client.get('/login');
      const response = await client.post('/login', { username: ctx.target!.username, password: `wrong-${i}-audit` });
      statuses.push(response.status);
      if (response.status === 429) {
        const retry = response.headers.get('retry-after');
        if (!retry || !(Number(retry) > 0 || !Number.isNaN(Date.parse(retry)))) return fail(`wrong password #${i} → 429 without a usable Retry-After`);
        return pass(`wrong password #${i} → 429, Retry-After: ${retry}`);
      }
      if (response.status === 303 || response.status === 200) return fail(`wrong password #${i} → ${response.status}`);
    }
    return fail(`${limit} wrong passwords → ${[...new Set(statuses)].join(', ')}, never 429 (LOGIN_MAX_FAILURES=${ctx.loginMaxFailures} expected)`);
  },
};

export const throttlingProbes: Probe[] = [bruteForce];
