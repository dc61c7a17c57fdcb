// Contract: remembered devices on every SQL backend (new-device notices, ASVS v5.0.0-6.3.5, level 3:
// notify of suspicious authentication). A device is known to its own user only; "any device
// known" tells a first sign-in from a new device; and each account keeps at most
// KNOWN_DEVICES_PER_USER devices, forgetting the least recently seen, so cleared cookies and
// private windows cannot grow the table (or the cost of a sign-in) without bound.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createSqlKnownDeviceStore, KNOWN_DEVICES_PER_USER } from '../../src/storage/sql/known-device-store.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

const T0 = Date.UTC(2030, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const hashOf = (n: number) => n.toString(16).padStart(64, 'd');

eachBackend('KnownDeviceStore contract', (backend) => {
  let stores: TestStores;
  const ids: number[] = [];
  before(async () => {
    stores = await openTestStores(backend, () => T0);
    for (const name of ['dev-owner', 'dev-other']) {
      const created = await stores.users.createUser({ username: name, usernameNormalized: name, email: `${name}@example.test`, emailNormalized: `${name}@example.test`, passwordHash: '$argon2id$x', role: 'user', createdAt: at(0) });
      assert.ok(created.ok);
      ids.push(created.user.id);
    }
  });
  after(() => stores.close());
  const devices = () => createSqlKnownDeviceStore(stores.database.db);
  const countOf = async (userId: number) => {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from known_devices where user_id = ${userId}`.execute(stores.database.db);
    return Number(rows[0]!.n);
  };

  test('a device is known to its own user only, and "any known" turns on with the first', async () => {
    const [owner, other] = ids as [number, number];
    assert.deepEqual(await devices().lookup(owner, hashOf(1)), { known: false, anyKnown: false });
    await devices().remember(owner, hashOf(1), at(1), false);
    assert.deepEqual(await devices().lookup(owner, hashOf(1)), { known: true, anyKnown: true });
    assert.deepEqual(await devices().lookup(owner, hashOf(2)), { known: false, anyKnown: true });
    assert.deepEqual(await devices().lookup(other, hashOf(1)), { known: false, anyKnown: false });
    // The same new browser recorded twice at once: one row, no error.
    await Promise.all([devices().remember(other, hashOf(9), at(2), false), devices().remember(other, hashOf(9), at(2), false)]);
    assert.equal(await countOf(other), 1);
  });

  test(`beyond ${KNOWN_DEVICES_PER_USER} devices the least recently seen is forgotten, the others stay`, async () => {
    const owner = ids[0]!;
    // Device 1 exists (seen at 1 s); devices 100…: one new device a second from 10 s on.
    for (let n = 0; n < KNOWN_DEVICES_PER_USER + 4; n += 1) await devices().remember(owner, hashOf(100 + n), at(10 + n), false);
    assert.equal(await countOf(owner), KNOWN_DEVICES_PER_USER);
    for (const gone of [1, 100, 101, 102, 103]) assert.equal((await devices().lookup(owner, hashOf(gone))).known, false, `device ${gone} forgotten`);
    assert.equal((await devices().lookup(owner, hashOf(104))).known, true);
    // Seen again, a kept device becomes the newest and outlives the next new one.
    await devices().remember(owner, hashOf(104), at(500), true);
    await devices().remember(owner, hashOf(999), at(501), false);
    assert.equal((await devices().lookup(owner, hashOf(104))).known, true);
    assert.equal((await devices().lookup(owner, hashOf(105))).known, false);
    assert.equal(await countOf(owner), KNOWN_DEVICES_PER_USER);
    assert.equal(await countOf(ids[1]!), 1, "another account's devices are untouched");
  });
});
