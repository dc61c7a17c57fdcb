import { parseArgs } from 'node:util';
import type { ChainVerdict } from '../../domain/audit/chain.ts';
import type { CommandRun } from '../command.ts';
import { CliError, type CliContext, readConfig, withServices } from '../context.ts';
import { say } from '../messages.ts';

/** The one line that names a broken chain's first problem, in the context's language. */
function describeBreak(context: CliContext, verdict: Extract<ChainVerdict, { ok: false }>): CliError {
  const { checked, seq, id } = verdict;
  switch (verdict.problem) {
    case 'bad_anchor':
      return new CliError({ key: 'cli.audit_verify.bad_anchor', params: { seq } });
    case 'missing_tail':
      return new CliError({ key: 'cli.audit_verify.missing_tail', params: { seq, checked } });
    case 'mac_mismatch':
    case 'missing_row':
      return new CliError({
        key: 'cli.audit_verify.broken',
        params: { id: id ?? '?', seq, checked, problem: say(context, `cli.audit_verify.${verdict.problem}`) },
      });
  }
}

/**
 * `gatehouse audit-verify`: walks the audit log's hash chain from its anchor (domain/audit/
 * chain.ts) and prints how many events verified, or names the first broken one on stderr
 * (its row id and seq, and what is wrong in words) and exits 1. An edited, deleted, swapped
 * or re-ordered row, a missing newest row and a forged retention anchor are each a break
 * (v5.0.0-16.4.2). Reads only: safe beside a running server, whose new events are left for
 * the next run.
 */
export const auditVerify: CommandRun = async (args, io, context) => {
  parseArgs({ args, options: {}, strict: true, allowPositionals: false });
  return withServices(readConfig(context), async (deps) => {
    const verdict = await deps.auditMaintenance.verify();
    if (!verdict.ok) throw describeBreak(context, verdict);
    io.out(say(context, 'cli.audit_verify.intact', { count: verdict.checked }));
    return 0;
  });
};
