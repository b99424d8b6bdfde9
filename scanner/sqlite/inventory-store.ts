// The data inventory: every scan's findings in `<dataDir>/inventory.db` (better-sqlite3, WAL),
// so reports read the latest inventory and the changes since the previous scan. Stores masked
// examples, classifications, distinct counts and HyperLogLog registers — never raw values.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { estimateOf } from '../distinct-count.js';
import { ScannerError } from '../errors.js';
import type { Classification, DistinctCount, PiType, ScanReport, SourceType } from '../types.js';

/** A finding as the inventory keeps it (spans are not stored; their count is). */
export interface InventoryEntry {
  readonly scanId: number;
  readonly scannedAt: string;
  readonly source: string;
  readonly sourceType: SourceType;
  readonly location: string;
  readonly kind: 'column' | 'field' | 'text';
  readonly piType: PiType;
  readonly confidence: number;
  readonly sampled: number;
  readonly matched: number;
  readonly spanCount: number;
  readonly examples: readonly string[];
  readonly classification: Classification;
  readonly distinct?: DistinctCount;
}

export interface InventoryChanges {
  readonly scanId: number | undefined;
  readonly previousScanId: number | undefined;
  readonly added: readonly InventoryEntry[];
  readonly removed: readonly InventoryEntry[];
  /** Same place and type, different class, tier or level. */
  readonly changed: readonly { readonly before: InventoryEntry; readonly after: InventoryEntry }[];
}

/** Distinct individuals per direct-identifier type over the latest inventory. */
export interface IndividualEstimate {
  readonly piType: PiType;
  readonly columns: number;
  /** The largest single column's count: a lower bound on individuals. */
  readonly largestColumn: DistinctCount;
  /** Union over all columns of that type (HyperLogLog merge), with its relative error. */
  readonly union: DistinctCount;
}

/** A human's record that the competent authority notified or published data as important (NDR Art. 29). */
export interface ImportantDataNotification {
  readonly source: string;
  readonly location: string;
  readonly piType: PiType;
  /** The notification's reference (document number, catalogue entry). */
  readonly reference: string;
  readonly recordedAt: string;
}

export interface InventoryStore {
  /** Records a scan; returns its id. */
  record(report: ScanReport): number;
  /**
   * Records that data was notified as important: from then on `latest()` reports it with
   * `dslTier: "important"` and the reference in `reasons` (COMPLIANCE.md §3.1 rule 2).
   */
  recordImportantData(notification: ImportantDataNotification): void;
  /** The latest findings of every source (each source's most recent scan). */
  latest(): readonly InventoryEntry[];
  /** For the sources of the most recent scan: what changed since each one's previous scan. */
  changesSincePrevious(): InventoryChanges;
  individualEstimates(): readonly IndividualEstimate[];
  close(): void;
}

const schema = `
CREATE TABLE IF NOT EXISTS scans (
  id INTEGER PRIMARY KEY,
  scanned_at TEXT NOT NULL,
  rule_set_version TEXT NOT NULL,
  stats TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scan_sources (
  scan_id INTEGER NOT NULL REFERENCES scans(id),
  source TEXT NOT NULL,
  PRIMARY KEY (scan_id, source)
);
CREATE TABLE IF NOT EXISTS findings (
  scan_id INTEGER NOT NULL REFERENCES scans(id),
  source TEXT NOT NULL,
  source_type TEXT NOT NULL,
  location TEXT NOT NULL,
  kind TEXT NOT NULL,
  pi_type TEXT NOT NULL,
  confidence REAL NOT NULL,
  sampled INTEGER NOT NULL,
  matched INTEGER NOT NULL,
  span_count INTEGER NOT NULL,
  examples TEXT NOT NULL,
  classification TEXT NOT NULL,
  distinct_count TEXT,
  sketch BLOB
);
CREATE INDEX IF NOT EXISTS findings_scan ON findings(scan_id);
CREATE TABLE IF NOT EXISTS important_data_notifications (
  source TEXT NOT NULL,
  location TEXT NOT NULL,
  pi_type TEXT NOT NULL,
  reference TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (source, location, pi_type)
);
`;

interface FindingRow {
  scan_id: number;
  scanned_at: string;
  source: string;
  source_type: string;
  location: string;
  kind: string;
  pi_type: string;
  confidence: number;
  sampled: number;
  matched: number;
  span_count: number;
  examples: string;
  classification: string;
  distinct_count: string | null;
  sketch?: Buffer | null;
}

const toEntry = (r: FindingRow): InventoryEntry => ({
  scanId: r.scan_id,
  scannedAt: r.scanned_at,
  source: r.source,
  sourceType: r.source_type as SourceType,
  location: r.location,
  kind: r.kind as InventoryEntry['kind'],
  piType: r.pi_type as PiType,
  confidence: r.confidence,
  sampled: r.sampled,
  matched: r.matched,
  spanCount: r.span_count,
  examples: JSON.parse(r.examples) as string[],
  classification: JSON.parse(r.classification) as Classification,
  ...(r.distinct_count === null ? {} : { distinct: JSON.parse(r.distinct_count) as DistinctCount }),
});

const keyOf = (e: InventoryEntry): string => `${e.source}\u0000${e.location}\u0000${e.piType}`;

const latestPerSourceSql = `
SELECT f.*, s.scanned_at FROM findings f JOIN scans s ON s.id = f.scan_id
WHERE f.scan_id = (SELECT max(ss.scan_id) FROM scan_sources ss WHERE ss.source = f.source)
ORDER BY f.source, f.location, f.pi_type`;

/**
 * Opens (or creates) the inventory database.
 *
 * @example const inv = openInventoryStore('custos-data/inventory.db'); try { inv.latest(); } finally { inv.close(); }
 */
export const openInventoryStore = (file: string): InventoryStore => {
  let db: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(schema);
  } catch (err) {
    throw new ScannerError('ERR_SCANNER_INVENTORY', {
      message: `cannot open the inventory ${file}: ${(err as Error).message}`,
      at: { file },
      hint: 'check the data directory (--data-dir) exists and is writable',
      cause: err,
    });
  }
  const insertScan = db.prepare('INSERT INTO scans (scanned_at, rule_set_version, stats) VALUES (?, ?, ?)');
  const insertSource = db.prepare('INSERT OR IGNORE INTO scan_sources (scan_id, source) VALUES (?, ?)');
  const insertFinding = db.prepare(
    'INSERT INTO findings (scan_id, source, source_type, location, kind, pi_type, confidence, sampled, matched, span_count, examples, classification, distinct_count, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const record = db.transaction((report: ScanReport): number => {
    const { skipped: _skipped, ...stats } = report.stats;
    const scanId = Number(insertScan.run(report.scannedAt, report.ruleSetVersion, JSON.stringify(stats)).lastInsertRowid);
    const sources = new Set([...report.sources, ...report.findings.map((f) => f.source)]);
    for (const s of sources) insertSource.run(scanId, s);
    for (const f of report.findings) {
      const sketch = report.sketches.get(`${f.source}\u0000${f.location}\u0000${f.piType}`);
      insertFinding.run(
        scanId, f.source, f.sourceType, f.location, f.kind, f.piType, f.confidence, f.sampled, f.matched, f.spanCount,
        JSON.stringify(f.examples), JSON.stringify(f.classification), f.distinct === undefined ? null : JSON.stringify(f.distinct),
        sketch === undefined ? null : Buffer.from(sketch),
      );
    }
    return scanId;
  });

  const latest = (): InventoryEntry[] => {
    const notified = new Map(
      (db.prepare('SELECT source, location, pi_type, reference FROM important_data_notifications').all() as { source: string; location: string; pi_type: string; reference: string }[]).map((n) => [
        `${n.source}\u0000${n.location}\u0000${n.pi_type}`,
        n.reference,
      ]),
    );
    return (db.prepare(latestPerSourceSql).all() as FindingRow[]).map((row) => {
      const entry = toEntry(row);
      const reference = notified.get(keyOf(entry));
      if (reference === undefined) return entry;
      const c = entry.classification;
      return { ...entry, classification: { ...c, dslTier: 'important' as const, generalGrade: null, reasons: [...c.reasons, `R-IMPORTANT:notified:${reference}`] } };
    });
  };

  const recordImportantData = (n: ImportantDataNotification): void => {
    if (n.reference.trim() === '' || n.reference.length > 200) {
      throw new ScannerError('ERR_SCANNER_INVENTORY', { message: 'an important-data notification needs a reference of 1 to 200 characters', hint: 'give the notification document number or catalogue entry' });
    }
    db.prepare('INSERT OR REPLACE INTO important_data_notifications (source, location, pi_type, reference, recorded_at) VALUES (?, ?, ?, ?, ?)').run(n.source, n.location, n.piType, n.reference, n.recordedAt);
  };

  const changesSincePrevious = (): InventoryChanges => {
    const last = db.prepare('SELECT max(id) AS id FROM scans').get() as { id: number | null };
    if (last.id === null) return { scanId: undefined, previousScanId: undefined, added: [], removed: [], changed: [] };
    const sources = (db.prepare('SELECT source FROM scan_sources WHERE scan_id = ?').all(last.id) as { source: string }[]).map((r) => r.source);
    const rowsOf = (scanId: number, source: string): InventoryEntry[] =>
      (db.prepare('SELECT f.*, s.scanned_at FROM findings f JOIN scans s ON s.id = f.scan_id WHERE f.scan_id = ? AND f.source = ?').all(scanId, source) as FindingRow[]).map(toEntry);
    const added: InventoryEntry[] = [];
    const removed: InventoryEntry[] = [];
    const changed: { before: InventoryEntry; after: InventoryEntry }[] = [];
    let previousScanId: number | undefined;
    for (const source of sources) {
      const prev = db.prepare('SELECT max(scan_id) AS id FROM scan_sources WHERE source = ? AND scan_id < ?').get(source, last.id) as { id: number | null };
      const after = rowsOf(last.id, source);
      const before = prev.id === null ? [] : rowsOf(prev.id, source);
      if (prev.id !== null) previousScanId = Math.max(previousScanId ?? 0, prev.id);
      const beforeByKey = new Map(before.map((e) => [keyOf(e), e]));
      const afterKeys = new Set(after.map(keyOf));
      for (const e of after) {
        const b = beforeByKey.get(keyOf(e));
        if (b === undefined) added.push(e);
        else if (
          b.classification.piClass !== e.classification.piClass ||
          b.classification.spiCategory !== e.classification.spiCategory ||
          b.classification.dslTier !== e.classification.dslTier ||
          b.classification.healthLevel !== e.classification.healthLevel
        )
          changed.push({ before: b, after: e });
      }
      for (const e of before) if (!afterKeys.has(keyOf(e))) removed.push(e);
    }
    return { scanId: last.id, previousScanId, added, removed, changed };
  };

  const individualEstimates = (): IndividualEstimate[] => {
    const rows = db.prepare(latestPerSourceSql).all() as FindingRow[];
    const byType = new Map<PiType, { counts: DistinctCount[]; sketches: Uint8Array[] }>();
    for (const r of rows) {
      if (r.distinct_count === null) continue;
      const t = r.pi_type as PiType;
      let e = byType.get(t);
      if (e === undefined) {
        e = { counts: [], sketches: [] };
        byType.set(t, e);
      }
      e.counts.push(JSON.parse(r.distinct_count) as DistinctCount);
      if (r.sketch) e.sketches.push(new Uint8Array(r.sketch));
    }
    return [...byType.entries()].map(([piType, e]) => {
      const largestColumn = e.counts.reduce((a, b) => (b.value > a.value ? b : a));
      // One exact column is its own union; otherwise merge the sketches.
      const union = e.counts.length === 1 ? largestColumn : estimateOf(...e.sketches);
      return { piType, columns: e.counts.length, largestColumn, union: union.value < largestColumn.value && largestColumn.isExact ? largestColumn : union };
    });
  };

  return { record: (report) => record(report), recordImportantData, latest, changesSincePrevious, individualEstimates, close: () => db.close() };
};
