import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { manualClock } from '../../lib/clock.js';
import { createDistinctCounter, hyperLogLogRelativeError, individualEstimates, inventoryChanges, inventoryPath, latestInventory, openInventory, scan } from '../../scanner/index.js';

const clock = manualClock(Date.parse('2026-11-26T00:00:00Z'));
const options = { sampleSize: 100, minConfidence: 0.5 };

describe('distinct counts', () => {
  it('are exact up to the bound', () => {
    const c = createDistinctCounter(1000);
    for (let i = 0; i < 2000; i++) c.add(`v${i % 700}`);
    assert.deepEqual(c.result(), { value: 700, isExact: true, relativeError: 0, method: 'exact' });
  });
  it('switch to a HyperLogLog estimate beyond it, within 3 standard errors', () => {
    const c = createDistinctCounter(1000);
    const n = 200_000;
    for (let i = 0; i < n; i++) c.add(`1380${String(i).padStart(7, '0')}`);
    const r = c.result();
    assert.equal(r.isExact, false);
    assert.equal(r.method, 'hyperloglog');
    assert.ok(Math.abs(r.value - n) / n < 3 * hyperLogLogRelativeError, `estimate off by ${Math.abs(r.value - n)}`);
  });
});

describe('inventory', () => {
  it('records scans, returns the latest per source, the changes since the previous scan and individual estimates', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-inv-'));
    const src = mkdtempSync(join(tmpdir(), 'custos-src-'));
    const csv = join(src, 'patients.csv');
    writeFileSync(csv, 'sfzh,email\n110102199101010078,a@example.com\n44011320141005001X,b@example.com\n');
    const first = await scan([csv], options, { clock });
    const store = openInventory(dataDir);
    try {
      assert.equal(store.record(first), 1);
      assert.equal(store.changesSincePrevious().previousScanId, undefined);
      // Second scan: e-mail column gone, mobile column added.
      writeFileSync(csv, 'sfzh,mobile\n110102199101010078,13800138000\n412723199010050012,13912345678\n');
      clock.advance(86_400_000);
      assert.equal(store.record(await scan([csv], options, { clock })), 2);
    } finally {
      store.close();
    }
    const latest = latestInventory(dataDir);
    assert.deepEqual(latest.map((e) => e.piType).sort(), ['mobilePhone', 'residentId']);
    assert.equal(latest[0]!.scannedAt, '2026-11-27T00:00:00.000Z');
    const changes = inventoryChanges(dataDir);
    assert.equal(changes.previousScanId, 1);
    assert.deepEqual(changes.added.map((e) => e.piType), ['mobilePhone']);
    assert.deepEqual(changes.removed.map((e) => e.piType), ['email']);
    const estimates = individualEstimates(dataDir);
    assert.equal(estimates.find((e) => e.piType === 'residentId')?.union.value, 2);

    // Raw values are not in the inventory file.
    const db = new Database(inventoryPath(dataDir), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM findings').all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? '' : v));
    db.close();
    for (const raw of ['110102199101010078', '13800138000', 'a@example.com']) assert.ok(!dump.includes(raw), 'raw value in inventory');
  });
  it('merges sketches across columns into a union estimate of individuals', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-inv-'));
    const src = mkdtempSync(join(tmpdir(), 'custos-src-'));
    const phones = (from: number, n: number) => Array.from({ length: n }, (_, i) => `1380${String(from + i).padStart(7, '0')}`);
    writeFileSync(join(src, 'a.csv'), `mobile\n${phones(0, 3000).join('\n')}\n`);
    writeFileSync(join(src, 'b.csv'), `mobile\n${phones(2000, 3000).join('\n')}\n`);
    const store = openInventory(dataDir);
    try {
      store.record(await scan([src], options, { clock }));
      const [e] = store.individualEstimates();
      assert.equal(e?.columns, 2);
      assert.equal(e?.largestColumn.value, 3000);
      assert.ok(Math.abs(e!.union.value - 5000) / 5000 < 3 * hyperLogLogRelativeError);
    } finally {
      store.close();
    }
  });
  it('important data stays a candidate until a human records the notification', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custos-inv-'));
    const src = mkdtempSync(join(tmpdir(), 'custos-src-'));
    const csv = join(src, 'genetic.csv');
    writeFileSync(csv, 'rsid,variant\nrs80357713,c.68A>G\nrs28897696,c.5266C>T\n');
    const store = openInventory(dataDir);
    try {
      store.record(await scan([csv], options, { clock }));
      assert.ok(store.latest().every((e) => e.classification.dslTier === 'importantCandidate'));
      store.recordImportantData({ source: csv, location: 'rsid', piType: 'geneticData', reference: 'NHC-2026-001', recordedAt: '2026-11-26T00:00:00Z' });
      const rsid = store.latest().find((e) => e.location === 'rsid')!;
      assert.equal(rsid.classification.dslTier, 'important');
      assert.ok(rsid.classification.reasons.includes('R-IMPORTANT:notified:NHC-2026-001'));
      assert.equal(store.latest().find((e) => e.location === 'variant')!.classification.dslTier, 'importantCandidate');
      assert.throws(() => store.recordImportantData({ source: csv, location: 'rsid', piType: 'geneticData', reference: ' ', recordedAt: '2026-11-26T00:00:00Z' }), { code: 'ERR_SCANNER_INVENTORY' });
    } finally {
      store.close();
    }
  });
  it('an unwritable data directory is a coded error', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'custos-inv-')), 'f');
    writeFileSync(file, 'x');
    assert.throws(() => openInventory(join(file, 'sub')), { code: 'ERR_SCANNER_INVENTORY' });
  });
});
