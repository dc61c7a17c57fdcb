/**
 * Insecure direct object references (ASVS v5.0.0-8.2.2): a normal user asking for another
 * user's profile by id, on the page and through the API, gets 403 or 404 and none of that
 * user's data. With a second throwaway account its username and email are looked for; with
 * `--user` alone, the neighbouring ids are asked for and any other user's profile is a failure.
 */
import { fail, pass, type Probe, skip } from './probe.ts';

const idor: Probe = {
  id: 'access.idor-profile',
  family: 'access',
  needs: ['primary'],
  async run(ctx) {
    const me = ctx.primary!;
    if (me.role === 'admin') return skip('cli.audit.skip.admin');
    const { session } = await ctx.signIn(me);
    const other = ctx.second;
    const ids = other?.id !== undefined ? [other.id] : [(me.id ?? 1) - 1, (me.id ?? 1) + 1].filter((id) => id > 0);
    const checked: string[] = [];
    for (const id of ids) {
      for (const path of [`/profile?id=${id}`, `/api/v1/admin/users/${id}`, `/api/v1/users/${id}`]) {
        const response = await session.get(path);
        checked.push(`${path} → ${response.status}`);
        const shown = [...response.body.matchAll(/data-user-id="(\d+)"/g)].some((m) => Number(m[1]) === id);
        const named = other !== undefined && (response.body.includes(other.username) || response.body.includes(other.email));
        if (response.status >= 200 && response.status < 300 && (shown || named)) return fail(`as a normal user: GET ${path} → ${response.status} with the other user's data`);
        if (named) return fail(`GET ${path} → ${response.status}, the other user's name or address is in the answer`);
        if (path.startsWith('/profile') && response.status !== 403 && response.status !== 404) return fail(`GET ${path} → ${response.status} (expected 403 or 404)`);
      }
    }
    return pass(checked.join('; '));
  },
};

export const accessProbes: Probe[] = [idor];
