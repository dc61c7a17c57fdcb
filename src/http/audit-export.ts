/**
 * Audit exports (issue #11): the filtered log as CSV (RFC 4180) or JSON lines, one event per
 * line, written as the reader streams them so memory stays flat however long the log.
 *
 * CSV and spreadsheets: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
 * return is read as a formula by Excel, LibreOffice and Google Sheets (OWASP "CSV
 * Injection"), and usernames, user agents and details are chosen by whoever sent them. Such a
 * cell gets a leading single quote, which the spreadsheet shows as text; then every cell is
 * quoted, inner quotes doubled, lines end in CRLF (RFC 4180 §2). JSON lines need no such
 * care: `JSON.stringify` escapes every control character, so one event is always one line.
 *
 * Who: `actor` and `target` are usernames (null for nobody, or for an account deleted since),
 * `actorId` and `targetId` the ids the log keeps (a deleted account stays a pseudonymous id).
 */
import type { StoredAuditEvent } from '../domain/audit/events.ts';
import type { NameLookup } from './event-names.ts';

export type ExportFormat = 'csv' | 'jsonl';

export const CSV_HEADER = ['seq', 'time', 'type', 'outcome', 'actor_id', 'actor', 'target_id', 'target', 'ip', 'user_agent', 'channel', 'details'] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: formula-neutralised, then quoted (RFC 4180). */
export function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function csvRow(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The export's lines: the CSV header first; one line per event. */
export async function* exportLines(events: AsyncIterable<StoredAuditEvent>, format: ExportFormat, nameOf: NameLookup): AsyncGenerator<string> {
  if (format === 'csv') yield csvRow(CSV_HEADER);
  for await (const event of events) {
    const actor = event.actorUserId === null ? null : await nameOf(event.actorUserId);
    const target = event.targetUserId === null ? null : await nameOf(event.targetUserId);
    if (format === 'jsonl') {
      yield `${JSON.stringify({
        seq: event.seq,
        time: event.at.toISOString(),
        type: event.type,
        outcome: event.outcome,
        actor,
        actorId: event.actorUserId,
        target,
        targetId: event.targetUserId,
        ip: event.ip,
        userAgent: event.userAgent,
        channel: event.channel,
        details: event.details,
      })}\n`;
    } else {
      yield csvRow([
        event.seq,
        event.at.toISOString(),
        event.type,
        event.outcome,
        event.actorUserId,
        actor,
        event.targetUserId,
        target,
        event.ip,
        event.userAgent,
        event.channel,
        JSON.stringify(event.details),
      ]);
    }
  }
}
