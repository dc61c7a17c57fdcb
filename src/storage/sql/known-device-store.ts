/**
 * KnownDeviceStore on Kysely: the `known_devices` table (migration 0008), keyed by
 * (user_id, device_hash). A sign-in costs one indexed read and at most one write.
 */
import type { Kysely } from 'kysely';
import type { KnownDeviceStore } from '../../domain/ports.ts';
import type { Database } from '../database.ts';
import { violatedUniqueIndex } from './rows.ts';

export function createSqlKnownDeviceStore(db: Kysely<Database>): KnownDeviceStore {
  return {
    async lookup(userId, deviceHash) {
      // One read on the primary key's user_id prefix: this device, and whether there is any.
      const row = await db
        .selectFrom('known_devices')
        .select((eb) => [
          eb.fn.countAll<number | string>().as('total'),
          eb.fn.sum<number | string | null>(eb.case().when('device_hash', '=', deviceHash).then(1).else(0).end()).as('matching'),
        ])
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return { known: Number(row.matching ?? 0) > 0, anyKnown: Number(row.total) > 0 };
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
      }
    },
  };
}
