/**
 * Findings that need the deployment's stores: the database answers and is migrated, Redis
 * answers, an admin exists, outgoing mail can leave (SMTP greets and logs in) and the queue
 * is not stuck. Each probe failing is one finding; later probes that need the database are
 * skipped when it does not answer.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../../config.ts';
import type { DeploymentProbes } from '../../dependencies.ts';
import { sqliteFileOf } from '../../storage/open-database.ts';
import type { Finding } from './finding.ts';

/** A pending message due this long ago means no sender is running, or every try fails. */
export const STUCK_MAIL_MINUTES = 15;

/** Signing keys older than this should be rotated (`gatehouse oidc-keys rotate`). */
export const OIDC_KEY_MAX_AGE_DAYS = 180;

export interface ServiceCheckInput {
  config: Readonly<Config>;
  /** SECRET_KEY as the server would resolve it, to try opening what is sealed under it; absent when none exists yet. */
  secretKey?: string;
  openProbes(config: Readonly<Config>): Promise<DeploymentProbes>;
  now: Date;
}

async function databaseFindings(probes: DeploymentProbes): Promise<{ findings: Finding[]; usable: boolean }> {
  const problem = await probes.databaseProblem();
  if (problem !== undefined) return { findings: [{ level: 'error', code: 'database.unreachable', params: { reason: problem } }], usable: false };
  const pending = await probes.pendingMigrations();
  if (pending.length > 0) return { findings: [{ level: 'error', code: 'database.pending', params: { count: pending.length, names: pending.join(', ') } }], usable: false };
  return { findings: [{ level: 'ok', code: 'database.ok' }], usable: true };
}

function mailFindings(config: Readonly<Config>, smtpProblem: string | undefined, unsent: Awaited<ReturnType<DeploymentProbes['unsentMail']>>, now: Date): Finding[] {
  const findings: Finding[] = [];
  if (!config.mail.smtpUrl) {
    findings.push({ level: config.env === 'production' ? 'warn' : 'info', code: 'mail.outbox', params: { dir: `${config.dataDir}/outbox` } });
  } else if (smtpProblem !== undefined) {
    findings.push({ level: 'error', code: 'mail.smtp_unreachable', params: { reason: smtpProblem } });
  } else {
    findings.push({ level: 'ok', code: 'mail.smtp_ok' });
  }
  const failed = unsent.filter((mail) => mail.status === 'failed').length;
  if (failed > 0) findings.push({ level: 'warn', code: 'mail.failed', params: { count: failed } });
  const stuckBefore = now.getTime() - STUCK_MAIL_MINUTES * 60_000;
  const stuck = unsent.filter((mail) => mail.status === 'pending' && mail.nextAttemptAt.getTime() < stuckBefore).length;
  if (stuck > 0) findings.push({ level: 'warn', code: 'mail.stuck', params: { count: stuck, minutes: STUCK_MAIL_MINUTES } });
  return findings;
}

function oidcFindings(state: Awaited<ReturnType<DeploymentProbes['oidcState']>>, now: Date): Finding[] {
  const findings: Finding[] = [];
  findings.push(state.clients === 0 ? { level: 'info', code: 'oidc.no_clients' } : { level: 'ok', code: 'oidc.clients', params: { count: state.clients } });
  if (state.currentKeys === 0) {
    findings.push({ level: 'info', code: 'oidc.keys_pending' });
  } else {
    const ageDays = Math.floor((now.getTime() - state.newestKeyAt!.getTime()) / 86_400_000);
    if (state.unreadableKeys > 0) findings.push({ level: 'error', code: 'oidc.keys_unreadable', params: { count: state.unreadableKeys } });
    else if (ageDays > OIDC_KEY_MAX_AGE_DAYS) findings.push({ level: 'warn', code: 'oidc.keys_old', params: { days: ageDays, max: OIDC_KEY_MAX_AGE_DAYS } });
    else findings.push({ level: 'ok', code: 'oidc.keys_ok', params: { days: ageDays } });
  }
  if (state.unreadableSecrets > 0) findings.push({ level: 'error', code: 'oidc.client_secrets_unreadable', params: { count: state.unreadableSecrets } });
  if (state.rs256Clients > 0) findings.push({ level: 'info', code: 'oidc.rs256_clients', params: { count: state.rs256Clients } });
  return findings;
}

export async function serviceFindings({ config, secretKey, openProbes, now }: ServiceCheckInput): Promise<Finding[]> {
  if (config.databaseUrl.startsWith('sqlite:')) {
    const file = sqliteFileOf(config.databaseUrl);
    if (file !== ':memory:' && !existsSync(file)) return [{ level: 'error', code: 'database.missing', params: { file } }];
  }
  let probes: DeploymentProbes;
  try {
    probes = await openProbes(config);
  } catch (error) {
    return [{ level: 'error', code: 'database.unreachable', params: { reason: (error as Error).message } }];
  }
  try {
    const findings: Finding[] = [];
    const database = await databaseFindings(probes);
    findings.push(...database.findings);
    const redisProblem = await probes.redisProblem();
    if (config.redisUrl) findings.push(redisProblem === undefined ? { level: 'ok', code: 'redis.ok' } : { level: 'error', code: 'redis.unreachable', params: { reason: redisProblem } });
    if (database.usable && (await probes.countActiveAdmins()) === 0) findings.push({ level: 'warn', code: 'admins.none' });
    findings.push(...mailFindings(config, await probes.smtpProblem(), database.usable ? await probes.unsentMail() : [], now));
    if (database.usable) findings.push(...oidcFindings(await probes.oidcState(secretKey), now));
    return findings;
  } finally {
    await probes.close();
  }
}
