// SQLite databases as a source (better-sqlite3, read-only). Every table and column; the first
// `sampleSize` rows of each table are sampled (rows stay aligned for record-level escalation);
// `walk` iterates a column with a cursor for distinct counts. better-sqlite3 types stay here.
import Database from 'better-sqlite3';

import { ScannerError } from '../errors.js';
import type { ColumnSample, ProgressEvent, SourceUnit } from '../types.js';

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const asText = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined; // BLOBs are not sampled as text
};

/** An open SQLite database; `close` it when the scan is done. */
export interface SqliteSource {
  units(sampleSize: number, onProgress?: (event: ProgressEvent) => void): SourceUnit[];
  close(): void;
}

/**
 * Opens a SQLite file read-only.
 *
 * @example const db = openSqliteSource('his.db'); try { db.units(1000); } finally { db.close(); }
 */
export const openSqliteSource = (path: string): SqliteSource => {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('query_only = ON');
  } catch (err) {
    throw new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', {
      message: `cannot open SQLite database ${path}: ${(err as Error).message}`,
      at: { file: path },
      hint: 'check that the file is a SQLite 3 database and readable',
      cause: err,
    });
  }
  const units = (sampleSize: number, onProgress?: (event: ProgressEvent) => void): SourceUnit[] => {
    let tables: { name: string }[];
    try {
      tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    } catch (err) {
      throw new ScannerError('ERR_SCANNER_UNREADABLE_INPUT', {
        message: `cannot read the schema of ${path}: ${(err as Error).message}`,
        at: { file: path },
        hint: 'the file may be encrypted or corrupt',
        cause: err,
      });
    }
    return tables.map(({ name }, i) => {
      const table = quoteIdentifier(name);
      const columnNames = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      const rowCount = Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
      const sampled = db.prepare(`SELECT * FROM ${table} LIMIT ?`).all(sampleSize) as Record<string, unknown>[];
      const rows = sampled.map((r) => {
        const row: Record<string, string> = Object.create(null) as Record<string, string>;
        for (const c of columnNames) {
          const v = asText(r[c]);
          if (v !== undefined) row[`${name}.${c}`] = v;
        }
        return row;
      });
      const columns = columnNames.map(
        (c): ColumnSample => ({
          location: `${name}.${c}`,
          kind: 'column',
          name: c,
          container: name,
          values: sampled.map((r) => asText(r[c])).filter((v): v is string => v !== undefined),
          total: rowCount,
        }),
      );
      onProgress?.({ source: path, done: i + 1, total: tables.length, unit: 'tables' });
      const walk = async (locations: readonly string[], visit: (location: string, value: string) => void): Promise<void> => {
        const cols = locations.map((l) => l.slice(name.length + 1));
        const statement = db.prepare(`SELECT ${cols.map(quoteIdentifier).join(', ')} FROM ${table}`).raw(true);
        for (const record of statement.iterate() as Iterable<unknown[]>) {
          record.forEach((v, j) => {
            const text = asText(v);
            if (text !== undefined && text.trim() !== '') visit(locations[j]!, text);
          });
        }
      };
      return { kind: 'table' as const, source: path, sourceType: 'sqlite' as const, container: name, columns, rows, rowCount, walk };
    });
  };
  return { units, close: () => db.close() };
};

