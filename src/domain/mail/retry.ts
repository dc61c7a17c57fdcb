/**
 * When a message that could not be delivered is tried again: 30 s after the first failure,
 * doubling each time, at most an hour apart, for 40 attempts (about 35 hours in all), so an
 * SMTP server down for a day still gets every message. Then it is `failed`, kept and listed
 * by `gatehouse mail-queue`.
 */
export const FIRST_RETRY_SECONDS = 30;
export const MAX_RETRY_SECONDS = 3600;
export const MAX_DELIVERY_ATTEMPTS = 40;

/** The next attempt after failure number `attempts` (1-based), or null to give up. */
export function nextDeliveryAttempt(attempts: number, now: Date): Date | null {
  if (attempts >= MAX_DELIVERY_ATTEMPTS) return null;
  const seconds = Math.min(FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_SECONDS);
  return new Date(now.getTime() + seconds * 1000);
}
