/**
 * English sentences for a data store that cannot be written: `serve` refusing to start on a
 * read-only or full DATA_DIR (src/storage/writable-directory.ts), and the 503 a failed write
 * answers at run time (src/http/error-handler.ts, src/storage/write-failure.ts).
 */
export const storageEn = {
  'cli.storage.unwritable':
    'cannot write to {path} ({reason}): the SQLite database needs its file and its directory writable (it keeps a -wal and a -shm file beside it). Make DATA_DIR writable by this user and free some space, or set DATABASE_URL elsewhere, then start again',
  'detail.storage_unwritable': 'The server cannot save changes right now (its storage is full or read-only). Nothing was changed; please try again in {wait}.',
};
