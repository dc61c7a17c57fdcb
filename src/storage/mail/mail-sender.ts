/**
 * The mail sender of one server process: every `intervalMs` (and at once when `wake()` is
 * called) it leases due messages from the queue, hands each to the transport, and marks it
 * sent or due again later (domain/mail/retry.ts). Several instances may run one each: the
 * lease (mail-queue-store.ts) gives a message to one of them. `stop()` finishes the round in
 * flight, so a graceful shutdown loses nothing; a crash leaves leases that expire, and the
 * message is sent after a restart.
 */
import { nextDeliveryAttempt } from '../../domain/mail/retry.ts';
import type { Clock, MailQueue } from '../../domain/ports.ts';
import type { MailTransport } from './transports.ts';

export interface MailSenderOptions {
  queue: MailQueue;
  transport: MailTransport;
  clock: Clock;
  /** Where a failed delivery is reported: never with the message body. */
  warn: (message: string, fields: Record<string, unknown>) => void;
  intervalMs?: number;
  /** Messages per round (one at a time, in order). */
  batch?: number;
  /** How long a claimed message is ours before another sender may take it. */
  leaseMs?: number;
}

export interface MailSender {
  start(): void;
  /** Runs a round soon (after an enqueue), instead of waiting for the timer. */
  wake(): void;
  /** One round now (every due message, batch after batch); resolves to how many were delivered. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function createMailSender(options: MailSenderOptions): MailSender {
  const { queue, transport, clock, warn } = options;
  const intervalMs = options.intervalMs ?? 2000;
  const batch = options.batch ?? 10;
  const leaseMs = options.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<number> | undefined;
  let stopped = false;

  /** Leases and sends batches until nothing is due: a backlog drains in one round. */
  async function deliverDue(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const claimed = await claimBatch();
      delivered += await deliverBatch(claimed);
      if (claimed.length < batch || stopped) return delivered;
    }
  }

  async function claimBatch() {
    const now = new Date(clock.now());
    return queue.claimDue(now, new Date(now.getTime() + leaseMs), batch);
  }

  async function deliverBatch(claimed: Awaited<ReturnType<typeof claimBatch>>): Promise<number> {
    let delivered = 0;
    for (const mail of claimed) {
      try {
        await transport.send(mail);
        await queue.markSent(mail.id, new Date(clock.now()));
        delivered += 1;
      } catch (error) {
        const reason = (error as Error).message?.slice(0, 300) ?? String(error);
        const next = nextDeliveryAttempt(mail.attempts + 1, new Date(clock.now()));
        await queue.markFailed(mail.id, reason, next);
        warn(next ? 'mail delivery failed; will retry' : 'mail delivery failed; giving up', { id: mail.id, kind: mail.kind, attempts: mail.attempts + 1, nextAttemptAt: next?.toISOString() ?? null, reason });
      }
    }
    return delivered;
  }

  async function runOnce(): Promise<number> {
    // One round at a time. A round already running may have looked at the queue before the
    // caller's mail was enqueued, so the caller waits for it and then runs a fresh round.
    while (round) await round;
    round = deliverDue()
      .catch((error) => {
        warn('mail queue unavailable; will try again', { reason: (error as Error).message });
        return 0;
      })
      .finally(() => (round = undefined));
    return round;
  }

  function schedule(delay: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void runOnce().then(() => schedule(intervalMs)), delay);
    timer.unref();
  }

  return {
    start: () => schedule(0),
    wake: () => schedule(0),
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      transport.close();
    },
  };
}
