/**
 * KnownDeviceStore on Kysely: the `known_devices` table (migration 0008), keyed by
 * (user_id, device_hash). A known browser's sign-in costs one point read and one write; a new
 * one's two reads, the insert, and a read and a delete past KNOWN_DEVICES_PER_USER.
 */
import type { Kysely } from 'kysely';
import type { KnownDeviceStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { violatedUniqueIndex } from './rows.ts';

/**
 * Devices remembered per account; a new one beyond this forgets the least recently seen. A
 * person has a handful; private windows and cleared cookies add one each, so without a bound
 * the table grew by one row per such sign-in for ever. A forgotten device that signs in again
 * is new once more (one notice mail), nothing worse.
 */
export const KNOWN_DEVICES_PER_USER = 100;

export function createSqlKnownDeviceStore(db: Kysely<Database>): KnownDeviceStore {
  /** Keeps the user's KNOWN_DEVICES_PER_USER most recently seen devices (ties: all kept). */
  async function forgetBeyondNewest(userId: number): Promise<void> {
    // Two statements, as MySQL allows no LIMIT in a subquery of DELETE; a row the second
    // misses in a race is removed by the next new device.
    const oldestKept = await db
      .selectFrom('known_devices')
      .select('last_seen_at')
      .where('user_id', '=', userId)
      .orderBy('last_seen_at', 'desc')
      .offset(KNOWN_DEVICES_PER_USER - 1)
      .limit(1)
      .executeTakeFirst();
    if (oldestKept) await db.deleteFrom('known_devices').where('user_id', '=', userId).where('last_seen_at', '<', oldestKept.last_seen_at).execute();
  }

  return {
    async lookup(userId, deviceHash) {
      // Point reads on the primary key: this device (a returning browser, the usual case, needs
      // nothing more), else any device of the user, stopping at the first row. (Counting the
      // user's rows instead made every sign-in O(devices): 100 000 sign-ins from new browsers
      // ran at 434/s for the first 10 000, 232/s for 20 000.)
      const own = await db.selectFrom('known_devices').select('user_id').where('user_id', '=', userId).where('device_hash', '=', deviceHash).executeTakeFirst();
      if (own) return { known: true, anyKnown: true };
      const any = await db.selectFrom('known_devices').select('user_id').where('user_id', '=', userId).limit(1).executeTakeFirst();
      return { known: false, anyKnown: any !== undefined };
    },

    async remember(userId, deviceHash, now, known) {
      const at = now.getTime();
      if (known) {
        await db.updateTable('known_devices').set({ last_seen_at: at }).where('user_id', '=', userId).where('device_hash', '=', deviceHash).execute();
        return;
      }
      try {
        await db.insertInto('known_devices').values({ user_id: userId, device_hash: deviceHash, first_seen_at: at, last_seen_at: at }).execute();
      } catch (error) {
        // Two sign-ins of one new browser at once: the other one recorded it.
        if (violatedUniqueIndex(error) === undefined) throw error;
        return;
      }
      await forgetBeyondNewest(userId);
    },
  };
}
