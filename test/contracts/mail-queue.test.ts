// Contract: the mail queue on every SQL backend (issue #10; ASVS v5.0.0-14.2.4 for data at
// rest). A message enqueued in a transaction that rolls back is never sent; a message is
// leased to exactly one of several racing senders; its body is sealed at rest (the link it
// carries is not in the row) and erased once sent; a failed one comes back when due, or is
// kept as failed; the listing never shows a body.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OutgoingMail } from '../../src/domain/ports.ts';
import { createSqlMailQueue } from '../../src/storage/sql/mail-queue-store.ts';
import { createSqlTransactor } from '../../src/storage/sql/transactor.ts';
import { eachBackend, openTestStores, type TestStores } from '../helpers/stores.ts';

const KEY = Buffer.alloc(32, 9);
const T0 = new Date(Date.UTC(2030, 0, 1));
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function mail(n: number): OutgoingMail {
  const link = `https://auth.example.test/reset-password?token=tok-${n}-SECRET`;
  return { to: `user${n}@example.test`, kind: 'password-reset', subject: `Reset ${n}`, text: `Open ${link}`, html: `<a href="${link}">reset</a>` };
}

eachBackend('MailQueue contract', (backend) => {
  let stores: TestStores;
  before(async () => {
    stores = await openTestStores(backend, () => T0.getTime());
  });
  after(() => stores.close());
  const queue = () => createSqlMailQueue(stores.database.db, KEY);

  test('a message enqueued in a rolled-back transaction is never there; a committed one is', async () => {
    const transactor = createSqlTransactor(stores.database.db, () => T0.getTime(), { mail: KEY, audit: KEY });
    await assert.rejects(
      transactor.run(async (tx) => {
        await tx.mail.enqueue(mail(1), T0);
        throw new Error('abort');
      }),
    );
    assert.deepEqual(await queue().listUnsent(), []);
    await transactor.run((tx) => tx.mail.enqueue(mail(2), T0));
    assert.deepEqual((await queue().listUnsent()).map((m) => m.to), ['user2@example.test']);
  });

  test('the body is sealed at rest and erased once sent; the listing shows no body', async () => {
    const rows = await stores.database.db.selectFrom('mail_queue').selectAll().execute();
    assert.ok(rows.length > 0);
    for (const row of rows) assert.doesNotMatch(JSON.stringify(row), /SECRET|reset-password/, 'no link in the row');
    const listed = JSON.stringify(await queue().listUnsent());
    assert.doesNotMatch(listed, /SECRET|subject|Reset/);
    const [claimed] = await queue().claimDue(at(1), at(61), 10);
    assert.match(claimed!.text, /tok-2-SECRET/, 'the sender reads it back');
    await queue().markSent(claimed!.id, at(2));
    const sent = await stores.database.db.selectFrom('mail_queue').select(['status', 'body']).where('id', '=', claimed!.id).executeTakeFirstOrThrow();
    assert.deepEqual(sent, { status: 'sent', body: null });
    assert.deepEqual(await queue().listUnsent(), []);
  });

  test('racing senders lease each message to exactly one of them', async () => {
    for (let n = 10; n < 30; n += 1) await queue().enqueue(mail(n), T0);
    const rounds = await Promise.all([1, 2, 3, 4].map(() => createSqlMailQueue(stores.database.db, KEY).claimDue(at(5), at(65), 20)));
    const ids = rounds.flat().map((m) => m.id);
    assert.equal(ids.length, 20, 'every message claimed');
    assert.equal(new Set(ids).size, 20, 'none twice');
    assert.deepEqual(await queue().claimDue(at(6), at(66), 20), [], 'leased ones are not due again');
    assert.equal((await queue().claimDue(at(70), at(130), 50)).length, 20, 'an expired lease (a crashed sender) frees them');
  });

  test('a failed delivery is due again at its next attempt, or kept as failed', async () => {
    const [claimed] = await queue().claimDue(at(200), at(260), 1);
    await queue().markFailed(claimed!.id, 'connect ECONNREFUSED', at(400));
    const listed = (await queue().listUnsent()).find((m) => m.id === claimed!.id)!;
    assert.equal(listed.attempts, 1);
    assert.equal(listed.lastError, 'connect ECONNREFUSED');
    assert.equal(listed.nextAttemptAt.getTime(), at(400).getTime());
    assert.ok(!(await queue().claimDue(at(300), at(360), 50)).some((m) => m.id === claimed!.id), 'not before it is due');
    const again = (await queue().claimDue(at(401), at(461), 50)).find((m) => m.id === claimed!.id);
    assert.equal(again?.attempts, 1);
    await queue().markFailed(claimed!.id, 'gave up', null);
    assert.equal((await queue().listUnsent()).find((m) => m.id === claimed!.id)?.status, 'failed');
  });

  test('a body sealed under another key is marked failed, never sent garbled', async () => {
    await createSqlMailQueue(stores.database.db, Buffer.alloc(32, 1)).enqueue(mail(99), at(500));
    const claimed = await queue().claimDue(at(9999), at(10_059), 100);
    assert.ok(!claimed.some((m) => m.to === 'user99@example.test'));
    assert.equal((await queue().listUnsent()).find((m) => m.to === 'user99@example.test')?.status, 'failed');
  });
}, ['sqlite', 'postgres', 'mysql']);
