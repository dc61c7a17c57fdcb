import { parseArgs } from 'node:util';
import type { MessageKey } from '../../messages/catalog.ts';
import { FAMILIES, type AuditText, type Family } from '../audit/probe.ts';
import { AuditSetupError, runAudit } from '../audit/runner.ts';
import { type CommandRun, CliError, CliUsageError } from '../command.ts';
import { say } from '../messages.ts';
import { readNewPassword } from '../prompt.ts';

const REDACTED = '‹redacted›';
/** Gatehouse's first sign-in lock is a minute: long enough to wait for at the end of a run. */
const DEFAULT_CLEANUP_WAIT_SECONDS = 90;

/**
 * `gatehouse audit <base-url> [--user NAME] [--only FAMILY] [--mailbox DIR] [--login-max-failures N] [--cleanup-wait S] [--json]`:
 * the built-in attack probes (src/cli/audit) over HTTP against a running instance. A table of
 * probe, result and evidence (or `--json`), a progress line on a terminal, exit 1 on any failed
 * probe or on an audit account it could not make unusable. With `--user`, the password is read
 * from stdin (never argv). Every password, cookie value and token the run saw is redacted from
 * what it prints. An audit account its own lockout probes locked is deleted once the lock
 * expires, when that is at most `--cleanup-wait` seconds away (default 90; 0: never wait).
 * `--mailbox DIR`: a folder of `.eml` files the deployment's mail lands in (Gatehouse's
 * `<DATA_DIR>/outbox/` without SMTP_URL), so the token-reuse probe can follow a mailed link.
 */
export const audit: CommandRun = async (args, io, context) => {
  const { values, positionals } = parseArgs({
    args,
    options: { user: { type: 'string' }, mailbox: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' }, 'login-max-failures': { type: 'string' }, 'cleanup-wait': { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new CliUsageError();
  let base: URL;
  try {
    base = new URL(positionals[0]!);
  } catch {
    throw new CliError({ key: 'cli.audit.bad_url', params: { url: positionals[0]! } }, 2);
  }
  if ((base.protocol !== 'http:' && base.protocol !== 'https:') || base.username || base.password) throw new CliError({ key: 'cli.audit.bad_url', params: { url: base.origin } }, 2);
  base = new URL(base.origin);
  if (values.only !== undefined && !(FAMILIES as readonly string[]).includes(values.only)) throw new CliError({ key: 'cli.audit.bad_family', params: { families: FAMILIES.join(', ') } }, 2);
  const maxFailures = values['login-max-failures'] === undefined ? 5 : Number(values['login-max-failures']);
  if (!Number.isInteger(maxFailures) || maxFailures < 1 || maxFailures > 1000) throw new CliError({ key: 'cli.audit.bad_max' }, 2);

  const cleanupWait = values['cleanup-wait'] === undefined ? DEFAULT_CLEANUP_WAIT_SECONDS : Number(values['cleanup-wait']);
  if (!Number.isInteger(cleanupWait) || cleanupWait < 0 || cleanupWait > 3600) throw new CliError({ key: 'cli.audit.bad_wait' }, 2);

  let user: { username: string; password: string } | undefined;
  if (values.user !== undefined) {
    if (values.user.trim() === '') throw new CliUsageError();
    const read = await readNewPassword(context.stdin, (key) => say(context, key));
    if (!read.ok) throw new CliError({ key: read.reason });
    user = { username: values.user, password: read.password };
  }

  try {
    const health = await fetch(new URL('/healthz', base), { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await health.body?.cancel();
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError({ key: 'cli.audit.unreachable', params: { url: base.origin, reason } });
  }

  let run;
  try {
    run = await runAudit({
      base,
      user,
      only: values.only as Family | undefined,
      mailbox: values.mailbox,
      loginMaxFailures: maxFailures,
      cleanupWaitSeconds: cleanupWait,
      onWait: (seconds, username) => {
        if (io.progress) io.progress(say(context, 'cli.audit.waiting', { seconds, username }));
        else io.err(say(context, 'cli.audit.waiting', { seconds, username }));
      },
      onProgress: (done, total, id) => io.progress?.(say(context, 'cli.audit.progress', { done, total, id })),
    });
  } catch (error) {
    if (error instanceof AuditSetupError) throw new CliError({ key: error.key, params: error.params });
    throw error;
  } finally {
    io.progress?.('');
  }
  // Longest first, so a secret containing another is replaced whole.
  const secrets = [...run.secrets].sort((a, b) => b.length - a.length);
  const clean = (text: string) => secrets.reduce((acc, value) => acc.split(value).join(REDACTED), text);
  const render = (text: AuditText) => clean(typeof text === 'string' ? text : say(context, text.key as MessageKey, text.params));

  const results = run.reports.map((report) => ({ id: report.id, family: report.family, result: report.result, evidence: render(report.evidence) }));
  const count = (result: string) => results.filter((r) => r.result === result).length;
  const summary = { pass: count('pass'), fail: count('fail'), skip: count('skip'), total: results.length };
  const cleanup = run.cleanup.map((c) => ({ username: clean(c.username), outcome: c.outcome }));
  const left = cleanup.filter((c) => c.outcome === 'left');

  if (values.json) {
    io.out(JSON.stringify({ results, summary, cleanup }));
  } else {
    const headers = [say(context, 'cli.audit.header.probe'), say(context, 'cli.audit.header.result'), say(context, 'cli.audit.header.evidence')];
    const word = (result: string) => say(context, `cli.audit.result.${result}` as MessageKey);
    const idWidth = Math.max(headers[0]!.length, ...results.map((r) => r.id.length));
    const resultWidth = Math.max(headers[1]!.length, ...results.map((r) => word(r.result).length));
    io.out(`${headers[0]!.padEnd(idWidth)}  ${headers[1]!.padEnd(resultWidth)}  ${headers[2]}`);
    for (const r of results) io.out(`${r.id.padEnd(idWidth)}  ${word(r.result).padEnd(resultWidth)}  ${r.evidence}`);
    io.out('');
    io.out(say(context, 'cli.audit.summary', summary));
    const deleted = cleanup.filter((c) => c.outcome === 'deleted').length;
    if (cleanup.length > 0) io.out(say(context, 'cli.audit.cleanup.deleted', { deleted, total: cleanup.length }));
    for (const c of cleanup) {
      if (c.outcome === 'password-changed') io.out(say(context, 'cli.audit.cleanup.password_changed', { username: c.username }));
      if (c.outcome === 'locked') io.out(say(context, 'cli.audit.cleanup.locked', { username: c.username }));
    }
  }
  for (const c of left) io.err(say(context, 'cli.audit.cleanup.left', { username: c.username }));
  return summary.fail > 0 || left.length > 0 ? 1 : 0;
};
