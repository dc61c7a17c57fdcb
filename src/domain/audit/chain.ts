/**
 * The audit log's hash chain, pure (no I/O): each row's MAC is an HMAC-SHA256, under a key
 * derived from SECRET_KEY, over the previous row's MAC and the row's own content, so editing,
 * deleting or reordering any row breaks every MAC from there on, and nobody without the key
 * can write a row that verifies.
 *
 * Positions: rows carry `seq` 1, 2, 3, … with no gaps (handed out under the chain-head lock,
 * rolled back with their transaction), so a deleted row is a gap even when the rows around
 * it were re-chained by hand. The head (storage) records the last `seq` and MAC, so deleting
 * the newest rows is caught too. Retention removes the oldest rows and moves the *anchor*
 * (the last removed row's seq and MAC) with a tag under the key: verification starts there.
 *
 * What it cannot catch alone: someone with database access and no key who deletes the newest
 * rows *and* rolls the head back to match. Each event also goes to the structured log with its
 * `seq` and MAC (audit-log.ts), a second witness kept outside the database.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto.ts';
import type { AuditDetails } from './events.ts';

/** The previous MAC of the first row ever written. */
export const GENESIS_MAC = '0'.repeat(64);

/** What the MAC covers: every column but the row id (a storage detail). */
export interface ChainRow {
  seq: number;
  atMs: number;
  type: string;
  actorUserId: number | null;
  targetUserId: number | null;
  ip: string | null;
  userAgent: string | null;
  channel: string;
  outcome: string;
  details: AuditDetails;
}

/** Details with their keys sorted, so equal content serialises equally on every backend. */
function sortedDetails(details: AuditDetails): [string, unknown][] {
  return Object.keys(details)
    .sort()
    .map((key) => [key, details[key]]);
}

/** The row as one unambiguous string (a JSON array: no separator can be forged inside a field). */
export function canonicalContent(row: ChainRow): string {
  return JSON.stringify([row.seq, row.atMs, row.type, row.actorUserId, row.targetUserId, row.ip, row.userAgent, row.channel, row.outcome, sortedDetails(row.details)]);
}

export function rowMac(key: Buffer, previousMac: string, row: ChainRow): string {
  return createHmac('sha256', key).update(`${previousMac}\n${canonicalContent(row)}`, 'utf8').digest('hex');
}

/** The anchor's tag: proves a moved anchor was moved by someone holding the key (the pruning job). */
export function anchorTag(key: Buffer, anchorSeq: number, anchorMac: string): string {
  return createHmac('sha256', key).update(`anchor\n${anchorSeq}\n${anchorMac}`, 'utf8').digest('hex');
}

export interface ChainAnchor {
  seq: number;
  mac: string;
  /** Null only for the genesis anchor (seq 0), which needs no tag. */
  tag: string | null;
}

export interface ChainHead {
  seq: number;
  mac: string;
}

export type ChainProblem =
  /** The row's MAC does not match its content and predecessor: edited, or moved. */
  | 'mac_mismatch'
  /** A row is missing before this one (its seq skips). */
  | 'missing_row'
  /** The anchor was altered without the key. */
  | 'bad_anchor'
  /** Rows after the last one present were deleted (the head says more were written). */
  | 'missing_tail';

export type ChainVerdict =
  | { ok: true; checked: number; lastSeq: number }
  | { ok: false; checked: number; problem: ChainProblem; /** The first row found broken (the id of the row a gap ends at). */ id: number | null; seq: number };

/**
 * Walks `rows` (ascending `seq`) from `anchor` and names the first broken link. Streaming:
 * memory stays flat however long the log.
 */
export async function verifyChain(
  key: Buffer,
  anchor: ChainAnchor,
  head: ChainHead,
  rows: AsyncIterable<ChainRow & { id: number; mac: string }>,
): Promise<ChainVerdict> {
  const anchorValid = anchor.tag === null ? anchor.seq === 0 && anchor.mac === GENESIS_MAC : constantTimeEqual(anchor.tag, anchorTag(key, anchor.seq, anchor.mac));
  if (!anchorValid) return { ok: false, checked: 0, problem: 'bad_anchor', id: null, seq: anchor.seq };
  let previousMac = anchor.mac;
  let expectedSeq = anchor.seq + 1;
  let checked = 0;
  for await (const row of rows) {
    if (row.seq <= anchor.seq) continue; // pruned meanwhile: older than the anchor
    if (row.seq > head.seq) break; // written after the head was read: the next run checks it
    if (row.seq !== expectedSeq) return { ok: false, checked, problem: 'missing_row', id: row.id, seq: row.seq };
    if (!constantTimeEqual(row.mac, rowMac(key, previousMac, row))) return { ok: false, checked, problem: 'mac_mismatch', id: row.id, seq: row.seq };
    previousMac = row.mac;
    expectedSeq += 1;
    checked += 1;
  }
  const lastSeq = expectedSeq - 1;
  if (head.seq !== lastSeq || (head.seq > anchor.seq && head.mac !== previousMac)) {
    return { ok: false, checked, problem: 'missing_tail', id: null, seq: lastSeq + 1 };
  }
  return { ok: true, checked, lastSeq };
}
