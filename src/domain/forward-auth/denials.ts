/**
 * Audit records of forward-auth refusals, coalesced like throttled sign-ins (login.ts): the
 * first per (user or visitor, reason, client) in each minute is written; the rest are counted
 * and the next written one says how many went unrecorded (`details.suppressed`). A proxy that
 * hammers a refused location therefore costs one queued write a minute, not one per request.
 * Bounded: at most DENIAL_KEYS_MAX keys are remembered, the oldest forgotten first.
 */
import type { AuditContext, AuditDetails } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { AuditLog } from '../ports.ts';

export type DenialReason =
  | 'group_required'
  | 'second_factor_required'
  | 'reauthentication_required'
  | 'password_change_required'
  | 'target_refused'
  | 'untrusted_peer'
  | 'rules_invalid';

const DENIAL_WINDOW_MS = 60_000;
const DENIAL_KEYS_MAX = 10_000;

export interface DenialRecorder {
  /** Records (or counts) one refusal; never throws, never waits for the write. */
  record(denial: { reason: DenialReason; userId: number | null; host: string | null; clientKey: string }, context: AuditContext): void;
}

export function createDenialRecorder(deps: { audit: AuditLog; clock: Clock; onError?: (error: unknown) => void }): DenialRecorder {
  const seen = new Map<string, { windowStart: number; suppressed: number }>();
  return {
    record(denial, context) {
      const key = `${denial.userId ?? '-'}\u0000${denial.reason}\u0000${denial.clientKey}`;
      const nowMs = deps.clock.now();
      const previous = seen.get(key);
      if (previous && nowMs - previous.windowStart < DENIAL_WINDOW_MS) {
        previous.suppressed += 1;
        return;
      }
      seen.delete(key);
      if (seen.size >= DENIAL_KEYS_MAX) seen.delete(seen.keys().next().value!);
      seen.set(key, { windowStart: nowMs, suppressed: 0 });
      const details: AuditDetails = {
        reason: denial.reason,
        ...(denial.host === null ? {} : { host: denial.host }),
        ...(previous && previous.suppressed > 0 ? { suppressed: previous.suppressed } : {}),
      };
      const event = { type: 'forward_auth.denied' as const, outcome: 'failure' as const, targetUserId: denial.userId, details };
      if (deps.audit.enqueue) deps.audit.enqueue(event, context);
      else deps.audit.record(event, context).catch((error: unknown) => deps.onError?.(error));
    },
  };
}
