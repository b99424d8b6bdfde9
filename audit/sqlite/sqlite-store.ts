import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { auditError } from '../errors.js';
import { walSync } from './wal-sync.js';
import type { AuditStore, StoredCheckpoint, StoredRow, StoredSeal, StoreTail, WriteTransaction } from '../store.js';

// Only seq is indexed (the primary key). Time ranges need no index: ts never decreases along
// seq, so a time bound becomes a seq bound by binary search. Subject, resource and patient
// queries scan with json_extract (about a second per million entries); an index on
// json_extract(event, '$.patientId') halved append throughput.
const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, event TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS tiles (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (
  id INTEGER PRIMARY KEY, size INTEGER NOT NULL, time INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS seals (
  id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, end_seq INTEGER NOT NULL, last_hash BLOB NOT NULL,
  archive TEXT NOT NULL, archive_digest TEXT NOT NULL, time INTEGER NOT NULL
) STRICT;
`;

/** The append-only guards: UPDATE refused everywhere; DELETE refused except for sealed rows. */
const triggers: Readonly<Record<string, string>> = {
  entries_no_update: `CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;`,
  entries_no_delete: `CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
    WHEN OLD.seq >= (SELECT COALESCE(MAX(end_seq), 0) FROM seals)
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only; seal old segments instead'); END;`,
  tiles_no_update: `CREATE TRIGGER IF NOT EXISTS tiles_no_update BEFORE UPDATE ON tiles
    BEGIN SELECT RAISE(ABORT, 'audit tiles are append-only'); END;`,
  tiles_no_delete: `CREATE TRIGGER IF NOT EXISTS tiles_no_delete BEFORE DELETE ON tiles
    BEGIN SELECT RAISE(ABORT, 'audit tiles are append-only'); END;`,
  checkpoints_no_update: `CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;`,
  checkpoints_no_delete: `CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
    BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;`,
  seals_no_update: `CREATE TRIGGER IF NOT EXISTS seals_no_update BEFORE UPDATE ON seals
    BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;`,
  seals_no_delete: `CREATE TRIGGER IF NOT EXISTS seals_no_delete BEFORE DELETE ON seals
    BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END;`,
  meta_no_update: `CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta
    BEGIN SELECT RAISE(ABORT, 'audit log identity is fixed'); END;`,
  meta_no_delete: `CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta
    BEGIN SELECT RAISE(ABORT, 'audit log identity is fixed'); END;`,
};

export interface SqliteStoreOptions {
  readonly readonly?: boolean;
  /** How long a writer waits for another process's write lock before ERR_AUDIT_BUSY. */
  readonly busyTimeoutMs?: number;
}

type Row = [number, number, string, Buffer, Buffer];
const rowsPage = 4096;
const toRow = (r: Row): StoredRow => ({ seq: r[0], ts: r[1], event: r[2], prev: r[3], hash: r[4] });

const toMs = (value: number | string, field: string): number => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw auditError('ERR_AUDIT_QUERY', { message: `${field} is not a time (ms since epoch or ISO 8601)`, path: field });
  return ms;
};

/**
 * Opens (creating if needed) an audit SQLite file: WAL journal, synchronous=NORMAL (a commit
 * writes the WAL without fsync, so it never blocks the caller on the disk; `sync()` then fsyncs
 * the WAL on the libuv threadpool, see wal-sync.ts), append-only triggers, and a busy timeout
 * so that writers in several processes take turns.
 *
 * @example
 * const store = openSqliteStore('custos-data/audit.db');
 */
export const openSqliteStore = (file: string, options: SqliteStoreOptions = {}): AuditStore => {
  if (options.readonly !== true) mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (cause) {
    throw auditError('ERR_AUDIT_STORE', { message: `cannot open audit log database ${file}`, cause, hint: 'check the path and permissions' });
  }
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  if (options.readonly !== true) {
    db.pragma('journal_mode = WAL');
    // NORMAL + walSync after the commit = FULL's durability with the fsync off the event loop.
    db.pragma('synchronous = NORMAL');
    db.exec(schema);
    for (const sql of Object.values(triggers)) db.exec(sql);
  }
  const wal = options.readonly === true ? undefined : walSync(file);
  const insertRow = db.prepare('INSERT INTO entries (seq, ts, event, prev, hash) VALUES (?, ?, ?, ?, ?)');
  // Multi-row INSERTs: one statement call per 64 rows instead of per row (320 parameters, far
  // below SQLite's limit of 32,766).
  const rowsPerInsert = 64;
  const insertMany = db.prepare(`INSERT INTO entries (seq, ts, event, prev, hash) VALUES ${Array.from({ length: rowsPerInsert }, () => '(?, ?, ?, ?, ?)').join(', ')}`);
  const insertTile = db.prepare('INSERT INTO tiles (idx, hash) VALUES (?, ?)');
  const tailRow = db.prepare('SELECT seq, ts, hash FROM entries ORDER BY seq DESC LIMIT 1').raw();
  const sealTail = db.prepare('SELECT end_seq, last_hash, time FROM seals ORDER BY end_seq DESC LIMIT 1').raw();
  const rowsStmt = db.prepare(`SELECT seq, ts, event, prev, hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ${rowsPage}`).raw();
  const tilesStmt = db.prepare('SELECT idx, hash FROM tiles WHERE idx >= ? ORDER BY idx').raw();
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const insertMeta = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');

  const tail = (): StoreTail => {
    const last = tailRow.get() as [number, number, Buffer] | undefined;
    if (last !== undefined) return { size: last[0] + 1, lastHash: last[2], lastTs: last[1] };
    const sealed = sealTail.get() as [number, Buffer, number] | undefined;
    if (sealed !== undefined) return { size: sealed[0], lastHash: sealed[1], lastTs: 0 };
    return { size: 0, lastHash: undefined, lastTs: 0 };
  };

  const tsAt = db.prepare('SELECT ts FROM entries WHERE seq >= ? ORDER BY seq LIMIT 1').pluck();
  const firstLive = db.prepare('SELECT MIN(seq) FROM entries').pluck();
  /** The first seq whose ts >= ms (binary search: ts never decreases along seq). */
  const firstSeqAtOrAfter = (ms: number): number => {
    let lo = (firstLive.get() as number | null) ?? 0;
    let hi = tail().size;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const ts = tsAt.get(mid) as number | undefined;
      if (ts === undefined || ts >= ms) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  const tx: WriteTransaction = {
    tail,
    insertRow: (row) => {
      insertRow.run(row.seq, row.ts, row.event, row.prev, row.hash);
    },
    insertRows: (rows) => {
      let i = 0;
      if (rows.length >= rowsPerInsert) {
        const args: unknown[] = new Array(rowsPerInsert * 5);
        for (; i + rowsPerInsert <= rows.length; i += rowsPerInsert) {
          for (let j = 0; j < rowsPerInsert; j++) {
            const row = rows[i + j] as StoredRow;
            const k = j * 5;
            args[k] = row.seq;
            args[k + 1] = row.ts;
            args[k + 2] = row.event;
            args[k + 3] = row.prev;
            args[k + 4] = row.hash;
          }
          insertMany.run(args);
        }
      }
      for (; i < rows.length; i++) {
        const row = rows[i] as StoredRow;
        insertRow.run(row.seq, row.ts, row.event, row.prev, row.hash);
      }
    },
    insertTile: (index, hash) => {
      insertTile.run(index, hash);
    },
  };

  const store: AuditStore = {
    file,
    getMeta: (key) => getMeta.get(key) as string | undefined,
    initMeta: (key, value) => {
      insertMeta.run(key, value);
      return getMeta.get(key) as string;
    },
    write: <T>(fn: (t: WriteTransaction) => T): T => {
      try {
        return db.transaction(() => fn(tx)).immediate();
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        if (code === 'SQLITE_BUSY') {
          throw auditError('ERR_AUDIT_BUSY', { message: `audit log ${file} stayed locked by another writer`, cause, hint: 'another process holds the write lock; retry' });
        }
        throw cause;
      }
    },
    sync: () => (wal === undefined ? Promise.resolve() : wal.sync()),
    tail,
    // Paged, so that callers may query the store (proofs) while iterating.
    rows: function* (from, to) {
      let next = from;
      for (;;) {
        const page = rowsStmt.all(next, to) as Row[];
        for (const r of page) yield toRow(r);
        if (page.length < rowsPage) return;
        next = (page[page.length - 1] as Row)[0] + 1;
      }
    },
    tiles: (from = 0) => (tilesStmt.all(from) as [number, Buffer][]).map((r) => r[1]),
    insertCheckpoint: (size, time, root, note) => {
      db.prepare('INSERT INTO checkpoints (size, time, root, note) VALUES (?, ?, ?, ?)').run(size, time, root, note);
    },
    checkpoints: () =>
      (db.prepare('SELECT id, size, time, note FROM checkpoints ORDER BY id').raw().all() as [number, number, number, string][]).map(
        (r): StoredCheckpoint => ({ id: r[0], size: r[1], time: r[2], note: r[3] }),
      ),
    query: (q) => {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        where.push(sql);
        params.push(value);
      };
      if (q.from !== undefined) add('seq >= ?', firstSeqAtOrAfter(toMs(q.from, 'from')));
      if (q.to !== undefined) add('seq < ?', firstSeqAtOrAfter(toMs(q.to, 'to')));
      if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
      if (q.kind !== undefined) add("json_extract(event, '$.kind') = ?", q.kind);
      if (q.subjectId !== undefined) add("json_extract(event, '$.subjectId') = ?", q.subjectId);
      if (q.resourceId !== undefined) add("json_extract(event, '$.resourceId') = ?", q.resourceId);
      if (q.resourceType !== undefined) add("json_extract(event, '$.resourceType') = ?", q.resourceType);
      if (q.patientId !== undefined) add("json_extract(event, '$.patientId') = ?", q.patientId);
      if (q.decision !== undefined) add("json_extract(event, '$.decision') = ?", q.decision);
      if (q.breakGlass === true) where.push("(json_extract(event, '$.kind') = 'break-glass' OR json_extract(event, '$.breakGlass') = 1)");
      if (q.breakGlass === false) where.push("(json_extract(event, '$.kind') <> 'break-glass' AND COALESCE(json_extract(event, '$.breakGlass'), 0) = 0)");
      const limit = q.limit ?? 10_000;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1_000_000) {
        throw auditError('ERR_AUDIT_QUERY', { message: 'limit must be an integer from 1 to 1,000,000', path: 'limit' });
      }
      const sql = `SELECT seq, ts, event, prev, hash FROM entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ${limit}`;
      return (db.prepare(sql).raw().all(...params) as Row[]).map(toRow);
    },
    lastSeqBefore: (ts) => {
      const seq = firstSeqAtOrAfter(ts) - 1;
      return seq >= ((firstLive.get() as number | null) ?? 0) ? seq : undefined;
    },
    seals: () =>
      (db.prepare('SELECT first_seq, end_seq, last_hash, archive, archive_digest, time FROM seals ORDER BY end_seq').raw().all() as [
        number, number, Buffer, string, string, number,
      ][]).map((r) => ({ firstSeq: r[0], endSeq: r[1], lastHash: r[2], archive: r[3], archiveDigest: r[4], time: r[5] })),
    seal: (s: StoredSeal) => {
      db.transaction(() => {
        db.prepare('INSERT INTO seals (first_seq, end_seq, last_hash, archive, archive_digest, time) VALUES (?, ?, ?, ?, ?, ?)').run(
          s.firstSeq, s.endSeq, s.lastHash, s.archive, s.archiveDigest, s.time,
        );
        db.prepare('DELETE FROM entries WHERE seq < ?').run(s.endSeq);
      }).immediate();
    },
    missingTriggers: () => {
      const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]);
      return Object.keys(triggers).filter((name) => !present.has(name));
    },
    bytes: () => {
      let total = 0;
      for (const suffix of ['', '-wal']) {
        try {
          total += statSync(file + suffix).size;
        } catch {
          // no WAL file: nothing to add
        }
      }
      return total;
    },
    close: () => {
      if (db.open) db.close();
      wal?.close();
    },
  };
  return store;
};
