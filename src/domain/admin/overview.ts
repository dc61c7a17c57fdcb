/**
 * The admin console's home figures (issue #11): sign-in outcomes over the last 24 hours (24
 * hourly slices) and the last 30 days (30 daily slices), the IPs and accounts with the most
 * failed sign-ins in the last 24 hours, and the headline counts (accounts, unverified
 * addresses, disabled accounts, enabled admins, live sessions).
 *
 * Slices are aligned to whole UTC hours and days, the current one last (still filling), so
 * two looks a minute apart show the same slices. Every figure is counted by the stores
 * (audit log, users, sessions); nothing is held between requests.
 */
import type { Clock } from '../clock.ts';
import type { AuditReader, SessionStore, UserDirectory, UserStore } from '../ports.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Slices in each chart, and how many failing IPs and accounts are listed. */
export const HOURLY_SLICES = 24;
export const DAILY_SLICES = 30;
export const TOP_FAILING = 10;

export interface SignInSlice {
  start: Date;
  succeeded: number;
  failed: number;
  throttled: number;
}

export interface AdminOverview {
  /** When the figures were read. */
  at: Date;
  hourly: SignInSlice[];
  daily: SignInSlice[];
  failingIps: Array<{ ip: string; count: number }>;
  /** `username` is null for an account deleted since (its events keep the id). */
  failingAccounts: Array<{ userId: number; username: string | null; count: number }>;
  counts: { users: number; unverified: number; disabled: number; admins: number; liveSessions: number };
}

export interface AdminOverviewService {
  /** Reads every figure now. Never writes. */
  overview(): Promise<AdminOverview>;
}

export function createAdminOverviewService(deps: {
  auditReader: Pick<AuditReader, 'signInActivity' | 'topFailing'>;
  userDirectory: Pick<UserDirectory, 'counts'>;
  sessionStore: Pick<SessionStore, 'countLiveSessions'>;
  users: Pick<UserStore, 'findUserById'>;
  clock: Clock;
  idleTimeoutSeconds: number;
}): AdminOverviewService {
  const { auditReader, userDirectory, sessionStore, users, clock } = deps;
  return {
    async overview() {
      const nowMs = clock.now();
      const hourEnd = Math.floor(nowMs / HOUR_MS) * HOUR_MS + HOUR_MS;
      const dayEnd = Math.floor(nowMs / DAY_MS) * DAY_MS + DAY_MS;
      const [hourly, daily, failing, counts, liveSessions] = await Promise.all([
        auditReader.signInActivity(new Date(hourEnd - HOURLY_SLICES * HOUR_MS), new Date(hourEnd), HOURLY_SLICES),
        auditReader.signInActivity(new Date(dayEnd - DAILY_SLICES * DAY_MS), new Date(dayEnd), DAILY_SLICES),
        auditReader.topFailing(new Date(nowMs - DAY_MS), TOP_FAILING),
        userDirectory.counts(),
        sessionStore.countLiveSessions(new Date(nowMs), deps.idleTimeoutSeconds),
      ]);
      const failingAccounts = await Promise.all(
        failing.accounts.map(async ({ userId, count }) => ({ userId, username: (await users.findUserById(userId))?.username ?? null, count })),
      );
      return { at: new Date(nowMs), hourly, daily, failingIps: failing.ips, failingAccounts, counts: { ...counts, liveSessions } };
    },
  };
}
