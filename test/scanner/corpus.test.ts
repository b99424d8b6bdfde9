// Precision and recall per PI type at column level on the labelled synthetic hospital corpus
// (SQLite tables, CSV, FHIR bundle and bulk NDJSON, clinical notes, with decoys).
// The suite fails below precision 0.95 or recall 0.90 for any type.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { manualClock } from '../../lib/clock.js';
import { scan, type ScanReport } from '../../scanner/index.js';
import { generateCorpus, type Labels } from '../fixtures/scanner/corpus.js';

const minPrecision = 0.95;
const minRecall = 0.9;

describe('labelled corpus: precision and recall per type (column level)', () => {
  let labels: Labels;
  let report: ScanReport;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-corpus-'));
    labels = generateCorpus(dir, 300);
    report = await scan([dir], { sampleSize: 1000, minConfidence: 0.5 }, { clock: manualClock(Date.parse('2026-11-26T00:00:00Z')) });
  });

  it(`every type reaches precision ≥ ${minPrecision} and recall ≥ ${minRecall}`, () => {
    const predicted = new Map<string, Set<string>>();
    for (const f of report.findings) {
      const key = `${basename(f.source)}::${f.location}`;
      if (!predicted.has(key)) predicted.set(key, new Set());
      predicted.get(key)!.add(f.piType);
    }
    const stats = new Map<string, { tp: number; fp: number; fn: number }>();
    const stat = (t: string) => stats.get(t) ?? stats.set(t, { tp: 0, fp: 0, fn: 0 }).get(t)!;
    const errors: string[] = [];
    for (const key of new Set([...Object.keys(labels), ...predicted.keys()])) {
      const expected = new Set(labels[key] ?? []);
      const got = predicted.get(key) ?? new Set<string>();
      for (const t of got) {
        if (expected.has(t)) stat(t).tp += 1;
        else {
          stat(t).fp += 1;
          errors.push(`false positive ${t} at ${key}`);
        }
      }
      for (const t of expected) {
        if (!got.has(t)) {
          stat(t).fn += 1;
          errors.push(`missed ${t} at ${key}`);
        }
      }
    }
    const lines = [...stats.entries()].sort().map(([t, s]) => {
      const precision = s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp);
      const recall = s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn);
      return { t, precision, recall, ...s };
    });
    for (const l of lines) console.log(`${l.t.padEnd(24)} precision ${l.precision.toFixed(3)} recall ${l.recall.toFixed(3)} (tp ${l.tp}, fp ${l.fp}, fn ${l.fn})`);
    assert.ok(lines.length >= 24, 'every recognizer is exercised by the corpus');
    const failing = lines.filter((l) => l.precision < minPrecision || l.recall < minRecall);
    assert.deepEqual(failing.map((l) => l.t), [], errors.join('\n'));
  });

  it('decoy columns (order, transaction, accession, specimen numbers) yield no identifier findings', () => {
    const decoys = ['his.db::orders.order_no', 'his.db::orders.ref_no', 'his.db::orders.serial_code', 'his.db::orders.tx_ref', 'his.db::lab_results.sample_no', 'payments.csv::txn_no', 'payments.csv::accession_no', 'app_events.ndjson::trace_id'];
    for (const key of decoys) {
      assert.deepEqual(report.findings.filter((f) => `${basename(f.source)}::${f.location}` === key).map((f) => f.piType), [], key);
    }
  });
});
