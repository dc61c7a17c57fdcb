/**
 * MailQueue on Kysely (table `mail_queue`, migration 0005). The message is sealed with
 * AES-256-GCM under a key derived from SECRET_KEY before it is written, because its links
 * carry single-use tokens, and the body is erased once sent.
 *
 * Claiming is a lease taken by a guarded update, per row:
 *   UPDATE mail_queue SET claimed_until = :lease
 *    WHERE id = :id AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= :now)
 * Exactly one of several racing senders (instances, or a restart before a lease expired)
 * sees one updated row; the others move on. It needs no `FOR UPDATE SKIP LOCKED`, so it is
 * the same on SQLite, PostgreSQL and MySQL. A sender that dies mid-send leaves the lease to
 * expire, and the message is sent again then: at least once, never lost.
 */
import type { Kysely } from 'kysely';
import { openText, sealText } from '../../domain/crypto.ts';
import type { ClaimedMail, MailQueue, OutgoingMail } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { toDate } from './rows.ts';

/** Candidates read per claim round, before each is leased by its own guarded update. */
const CANDIDATES_PER_ROUND = 4;

export function createSqlMailQueue(db: Kysely<Database>, key: Buffer): MailQueue {
  return {
    async enqueue(mail, now) {
      const sealed = sealText(key, JSON.stringify({ subject: mail.subject, text: mail.text, html: mail.html }));
      await db
        .insertInto('mail_queue')
        .values({ recipient: mail.to, kind: mail.kind, status: 'pending', next_attempt_at: now.getTime(), body: sealed, created_at: now.getTime() })
        .execute();
    },

    async claimDue(now, leaseUntil, limit) {
      const nowMs = now.getTime();
      const candidates = await db
        .selectFrom('mail_queue')
        .select(['id', 'recipient', 'kind', 'attempts', 'body'])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', nowMs)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowMs)]))
        .orderBy('next_attempt_at')
        .limit(limit * CANDIDATES_PER_ROUND)
        .execute();
      const claimed: ClaimedMail[] = [];
      for (const row of candidates) {
        if (claimed.length >= limit) break;
        const result = await db
          .updateTable('mail_queue')
          .set({ claimed_until: leaseUntil.getTime() })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', nowMs)]))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) continue;
        const opened = row.body === null ? undefined : openText(key, row.body);
        const message = opened === undefined ? undefined : (JSON.parse(opened) as Pick<OutgoingMail, 'subject' | 'text' | 'html'>);
        if (!message) {
          // Sealed under another SECRET_KEY (rotated) or altered: it cannot be sent, ever.
          await db.updateTable('mail_queue').set({ status: 'failed', last_error: 'body cannot be opened with the current SECRET_KEY', claimed_until: null }).where('id', '=', row.id).execute();
          continue;
        }
        claimed.push({ id: Number(row.id), to: row.recipient, kind: row.kind, attempts: Number(row.attempts), ...message });
      }
      return claimed;
    },

    async markSent(id, now) {
      await db.updateTable('mail_queue').set({ status: 'sent', sent_at: now.getTime(), body: null, claimed_until: null, last_error: null }).where('id', '=', id).execute();
    },

    async markFailed(id, error, nextAttemptAt) {
      await db
        .updateTable('mail_queue')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          status: nextAttemptAt === null ? 'failed' : 'pending',
          next_attempt_at: nextAttemptAt === null ? eb.ref('next_attempt_at') : nextAttemptAt.getTime(),
          last_error: error.slice(0, 500),
          claimed_until: null,
        }))
        .where('id', '=', id)
        .execute();
    },

    async deleteForRecipient(to) {
      const result = await db.deleteFrom('mail_queue').where('recipient', '=', to).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listUnsent() {
      const rows = await db
        .selectFrom('mail_queue')
        .select(['id', 'recipient', 'kind', 'status', 'attempts', 'next_attempt_at', 'last_error'])
        .where('status', 'in', ['pending', 'failed'])
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: Number(row.id),
        to: row.recipient,
        kind: row.kind,
        status: row.status === 'failed' ? ('failed' as const) : ('pending' as const),
        attempts: Number(row.attempts),
        nextAttemptAt: toDate(row.next_attempt_at),
        lastError: row.last_error,
      }));
    },
  };
}
