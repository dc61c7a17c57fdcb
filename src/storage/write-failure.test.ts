// Property: a failed write of each driver (disk full, read-only, I/O error) is recognised, in
// the error or one of its causes, and nothing else is (v5.0.0-16.5.3: fail securely, with a 503
// and nothing half-written, never a 500 with the driver's words).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storageWriteFailureCode } from './write-failure.ts';

const withCode = (code: string, errno?: number) => Object.assign(new Error('driver'), { code, ...(errno === undefined ? {} : { errno }) });

test('each driver’s write failure gives its code, also as a cause', () => {
  for (const code of ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR_WRITE', 'SQLITE_CANTOPEN', '53100', '25006']) {
    assert.equal(storageWriteFailureCode(withCode(code)), code);
    assert.equal(storageWriteFailureCode(new Error('wrapped', { cause: withCode(code) })), code);
  }
  assert.equal(storageWriteFailureCode(withCode('ER_RECORD_FILE_FULL', 1114)), 'ER_RECORD_FILE_FULL');
  assert.equal(storageWriteFailureCode(withCode('ER_OPTION_PREVENTS_STATEMENT', 1290)), 'ER_OPTION_PREVENTS_STATEMENT');
});

test('other errors are not write failures: constraint violations, busy, connection loss, plain errors, deep causes', () => {
  for (const error of [withCode('SQLITE_CONSTRAINT_UNIQUE'), withCode('SQLITE_BUSY'), withCode('23505'), withCode('ECONNREFUSED'), withCode('ER_DUP_ENTRY', 1062), new Error('boom'), undefined, null, 'text']) {
    assert.equal(storageWriteFailureCode(error), undefined, String((error as { code?: string })?.code ?? error));
  }
  const deep = new Error('a', { cause: new Error('b', { cause: new Error('c', { cause: withCode('SQLITE_FULL') }) }) });
  assert.equal(storageWriteFailureCode(deep), undefined, 'three wrappers deep is not looked into');
});
