// Property: an exported cell can never be a spreadsheet formula, and the CSV is RFC 4180:
// every cell starting with =, +, -, @, a tab or a carriage return gets a leading quote
// (OWASP CSV injection), every cell is quoted with inner quotes doubled, lines end in CRLF;
// JSON lines are one event per line whatever the event holds (v5.0.0-16.4.1).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredAuditEvent } from '../domain/audit/events.ts';
import { CSV_HEADER, csvCell, exportLines } from './audit-export.ts';

test('formula starts are neutralised, everything else kept, every cell quoted', () => {
  assert.equal(csvCell("=cmd|' /C calc'!A0"), `"'=cmd|' /C calc'!A0"`);
  assert.equal(csvCell('@SUM(1)'), `"'@SUM(1)"`);
  assert.equal(csvCell('+1'), `"'+1"`);
  assert.equal(csvCell('-2+3'), `"'-2+3"`);
  assert.equal(csvCell('\tx'), `"'\tx"`);
  assert.equal(csvCell('\rx'), `"'\rx"`);
  assert.equal(csvCell('say "hi", then\nleave'), '"say ""hi"", then\nleave"');
  assert.equal(csvCell('a=b'), '"a=b"');
  assert.equal(csvCell(42), '"42"');
  assert.equal(csvCell(null), '""');
});

test('exports: a header, then one line per event, CRLF for CSV, LF for JSON lines', async () => {
  const event: StoredAuditEvent = {
    id: 1,
    seq: 7,
    at: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
    type: 'login.failed',
    actorUserId: null,
    targetUserId: 3,
    ip: '203.0.113.9',
    userAgent: '=HYPERLINK("http://evil.example")\n{"level":"info"}',
    channel: 'web',
    outcome: 'failure',
    details: { reason: 'bad_password' },
  };
  async function* events() {
    yield event;
    yield { ...event, seq: 6, targetUserId: 99 };
  }
  const names = async (id: number) => (id === 3 ? '@ana' : null);
  const csv = [];
  for await (const line of exportLines(events(), 'csv', names)) csv.push(line);
  assert.equal(csv.length, 3);
  assert.equal(csv[0], `${CSV_HEADER.map((name) => `"${name}"`).join(',')}\r\n`);
  assert.ok(csv.every((line) => line.endsWith('\r\n')));
  assert.match(csv[1]!, /^"7","2030-01-02T03:04:05.000Z","login.failed","failure","","","3","'@ana","203.0.113.9","'=HYPERLINK\(""http:\/\/evil.example""\)\n\{""level"":""info""\}","web","\{""reason"":""bad_password""\}"\r\n$/);
  const jsonl = [];
  for await (const line of exportLines(events(), 'jsonl', names)) jsonl.push(line);
  assert.equal(jsonl.length, 2);
  const first = JSON.parse(jsonl[0]!);
  assert.deepEqual(
    { time: first.time, type: first.type, actor: first.actor, target: first.target, targetId: first.targetId, ip: first.ip, outcome: first.outcome },
    { time: '2030-01-02T03:04:05.000Z', type: 'login.failed', actor: null, target: '@ana', targetId: 3, ip: '203.0.113.9', outcome: 'failure' },
  );
  assert.equal(JSON.parse(jsonl[1]!).target, null, 'a deleted account: no name, the id stays');
  assert.ok(jsonl.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1), 'one line per event');
});
