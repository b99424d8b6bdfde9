// Batch re-encryption of sealed columns in a SQLite table, resumable: progress (last id done)
// is committed in the same transaction as each batch, in table `custos_reencrypt_progress`.
import Database from 'better-sqlite3';
import { kmsError } from '../errors.js';
import type { FieldCipher } from '../field-cipher.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import type { FieldBinding } from '../types.js';

export interface ReencryptTableOptions {
  readonly cipher: FieldCipher;
  /** SQLite database file holding the records. */
  readonly file: string;
  readonly table: string;
  readonly idColumn: string;
  /** Column holding the subject id (or tenant id with `scope: 'tenant'`) of each row. */
  readonly scopeColumn: string;
  readonly scope?: 'subject' | 'tenant';
  readonly recordType: string;
  /** Sealed columns and the field path each was sealed with (default: the column name). */
  readonly columns: readonly { readonly column: string; readonly fieldPath?: string }[];
  readonly batchSize?: number;
  /** Names the job in the progress table (default: the table name). */
  readonly jobId?: string;
  /** Stop after this many rows (the next run resumes). */
  readonly maxRows?: number;
  readonly onProgress?: (progress: ReencryptProgress) => void;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

export interface ReencryptProgress {
  readonly done: number;
  readonly total: number;
  readonly reencrypted: number;
  readonly isComplete: boolean;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const quote = (name: string): string => {
  if (!identifier.test(name)) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: `"${name.slice(0, 64)}" is not a plain SQL identifier`, hint: 'table and column names: letters, digits and underscores' });
  }
  return `"${name}"`;
};

interface ProgressRow {
  readonly last_id: string | number | null;
  readonly done: number;
  readonly reencrypted: number;
  readonly finished_at: number | null;
}

/**
 * Re-encrypts every sealed field of a table under the current data key versions (after
 * `rotateDataKey`, or to move to another suite). Interrupted runs resume where they stopped;
 * progress is reported after each batch.
 *
 * @example
 * await reencryptTable({ cipher, file: 'his.db', table: 'patient', idColumn: 'id', scopeColumn: 'id',
 *   recordType: 'Patient', columns: [{ column: 'phone' }], onProgress: (p) => console.log(p.done, p.total) });
 */
export const reencryptTable = async (options: ReencryptTableOptions): Promise<ReencryptProgress> => {
  const table = quote(options.table);
  const id = quote(options.idColumn);
  const scopeColumn = quote(options.scopeColumn);
  const columns = options.columns.map((c) => ({ column: quote(c.column), name: c.column, fieldPath: c.fieldPath ?? c.column }));
  if (columns.length === 0) throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'name at least one sealed column', hint: '--column phone' });
  const batchSize = options.batchSize ?? 500;
  const jobId = options.jobId ?? options.table;
  const db = new Database(options.file, { fileMustExist: true });
  try {
    db.exec('CREATE TABLE IF NOT EXISTS custos_reencrypt_progress (job TEXT PRIMARY KEY, last_id ANY, done INTEGER NOT NULL, reencrypted INTEGER NOT NULL, finished_at INTEGER)');
    const total = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    let progress = db.prepare('SELECT last_id, done, reencrypted, finished_at FROM custos_reencrypt_progress WHERE job = ?').get(jobId) as ProgressRow | undefined;
    if (progress === undefined || progress.finished_at !== null) progress = { last_id: null, done: 0, reencrypted: 0, finished_at: null };
    let { last_id: lastId, done, reencrypted } = progress;
    const select = db.prepare(
      `SELECT ${id} AS id, ${scopeColumn} AS scope_id, ${columns.map((c) => c.column).join(', ')} FROM ${table} WHERE (? IS NULL OR ${id} > ?) ORDER BY ${id} LIMIT ?`,
    );
    const saveProgress = db.prepare(
      'INSERT INTO custos_reencrypt_progress (job, last_id, done, reencrypted, finished_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(job) DO UPDATE SET last_id = excluded.last_id, done = excluded.done, reencrypted = excluded.reencrypted, finished_at = excluded.finished_at',
    );
    const updates = new Map(columns.map((c) => [c.name, db.prepare(`UPDATE ${table} SET ${c.column} = ? WHERE ${id} = ?`)]));
    let rowsThisRun = 0;
    for (;;) {
      if (options.signal?.aborted === true) break;
      const limit = options.maxRows === undefined ? batchSize : Math.min(batchSize, options.maxRows - rowsThisRun);
      if (limit <= 0) break;
      const rows = select.all(lastId, lastId, limit) as Record<string, unknown>[];
      if (rows.length === 0) {
        saveProgress.run(jobId, lastId, done, reencrypted, (options.clock ?? systemClock).now());
        const final = Object.freeze({ done, total, reencrypted, isComplete: true });
        options.onProgress?.(final);
        return final;
      }
      // Decrypt and seal outside the transaction (async), then write the batch and its progress at once.
      const changes: { column: string; id: unknown; value: string }[] = [];
      for (const row of rows) {
        const scopeId = String(row.scope_id);
        for (const c of columns) {
          const sealed = row[c.name];
          if (sealed === null || sealed === undefined) continue;
          const binding = { recordType: options.recordType, recordId: String(row.id), fieldPath: c.fieldPath, ...(options.scope === 'tenant' ? { tenantId: scopeId } : { subjectId: scopeId }) } as FieldBinding;
          const refreshed = await options.cipher.openFieldAndRefresh(String(sealed), binding);
          if (refreshed.ciphertext !== undefined) changes.push({ column: c.name, id: row.id, value: refreshed.ciphertext });
        }
      }
      lastId = rows[rows.length - 1]!.id as string | number;
      done += rows.length;
      rowsThisRun += rows.length;
      reencrypted += changes.length;
      db.transaction(() => {
        for (const change of changes) updates.get(change.column)!.run(change.value, change.id);
        saveProgress.run(jobId, lastId, done, reencrypted, null);
      })();
      options.onProgress?.(Object.freeze({ done, total, reencrypted, isComplete: false }));
    }
    return Object.freeze({ done, total, reencrypted, isComplete: false });
  } finally {
    db.close();
  }
};
