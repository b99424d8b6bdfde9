// End to end: the compiled `custos scan` on the synthetic corpus (build first: npm test does).
// Also the rule that matters most: no raw value appears in any output — table, JSON, errors,
// or the inventory file.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { generateCorpus } from '../fixtures/scanner/corpus.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const bin = join(repoRoot, 'dist', 'cli', 'main.js');

const custos = (args: string[], cwd: string) => {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

/** Every sensitive raw value the corpus holds, read back from its files. */
const rawValues = (dir: string): string[] => {
  const db = new Database(join(dir, 'his.db'), { readonly: true });
  const values: string[] = [];
  const col = (sql: string) => (db.prepare(sql).raw(true).all() as unknown[][]).flat().map(String);
  values.push(...col('SELECT sfzh FROM patients'), ...col('SELECT sjhm FROM patients'), ...col('SELECT email FROM patients'), ...col('SELECT jtdz FROM patients'));
  values.push(...col('SELECT ybkh FROM patients'), ...col('SELECT wx_openid FROM patients'), ...col('SELECT pay_card FROM prescriptions'), ...col('SELECT hzhm FROM foreign_patients'));
  values.push(...col('SELECT xm FROM patients').filter((n) => n.length >= 3), ...col('SELECT client_ip FROM orders'), ...col('SELECT device_imei FROM orders'), ...col('SELECT lat FROM wearable_readings'));
  db.close();
  const csv = readFileSync(join(dir, 'payments.csv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[1]!);
  return [...values, ...csv].filter((v) => v.length >= 3);
};

describe('custos scan (end to end)', { skip: !existsSync(bin) && 'dist/ not built: run npm test' }, () => {
  let corpus: string;
  let cwd: string;
  before(() => {
    corpus = mkdtempSync(join(tmpdir(), 'custos-e2e-corpus-'));
    generateCorpus(corpus, 120);
    cwd = mkdtempSync(join(tmpdir(), 'custos-e2e-'));
  });

  it('prints a readable table, exits 0 although PI is found, and records the inventory', () => {
    const run = custos(['--lang', 'en', 'scan', corpus], cwd);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /rule set cn-health-2026\.1/);
    assert.match(run.stdout, /patients\.sfzh\s+resident ID/);
    assert.match(run.stdout, /SPI specific identity \(GB\/T 35273-2020\)/);
    assert.match(run.stdout, /recorded in inventory \(#1\)/);
    assert.ok(existsSync(join(cwd, 'custos-data', 'inventory.db')));
    const again = custos(['--lang', 'en', 'scan', corpus], cwd);
    assert.match(again.stdout, /since the previous scan: added 0 · removed 0 · reclassified 0/);
  });

  it('--json prints every finding with its classification; options are honoured', () => {
    const run = custos(['--json', 'scan', '--sample-size', '10', '--min-confidence', '0.9', '--no-inventory', corpus], cwd);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { findings: { confidence: number; sampled: number; kind: string; classification: { ruleSetVersion: string } }[]; sketches?: unknown };
    assert.ok(report.findings.length > 10);
    assert.ok(report.findings.every((f) => f.confidence >= 0.9));
    assert.ok(report.findings.filter((f) => f.kind !== 'text').every((f) => f.sampled <= 10));
    assert.equal(report.findings[0]!.classification.ruleSetVersion, 'cn-health-2026.1');
    assert.equal(report.sketches, undefined);
  });

  it('--rules replaces the rule set', () => {
    const rules = JSON.parse(readFileSync(join(repoRoot, 'scanner', 'rules', 'cn-health-2026.1.json'), 'utf8')) as { version: string };
    rules.version = 'hospital-2027.1';
    const file = join(cwd, 'rules.json');
    writeFileSync(file, JSON.stringify(rules));
    const run = custos(['--json', 'scan', '--no-inventory', '--rules', file, join(corpus, 'payments.csv')], cwd);
    assert.equal((JSON.parse(run.stdout) as { ruleSetVersion: string }).ruleSetVersion, 'hospital-2027.1');
  });

  it('no raw value appears in the table, the JSON, or the inventory', () => {
    const raws = rawValues(corpus);
    assert.ok(raws.length > 1000);
    const outputs = [custos(['--lang', 'en', 'scan', corpus], cwd), custos(['--json', 'scan', corpus], cwd), custos(['scan', corpus], cwd)];
    const db = new Database(join(cwd, 'custos-data', 'inventory.db'), { readonly: true });
    const inventory = JSON.stringify(db.prepare('SELECT * FROM findings').all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? '' : v));
    db.close();
    const all = [...outputs.flatMap((o) => [o.stdout, o.stderr]), inventory].join('\n');
    const leaked = raws.filter((v) => all.includes(v));
    assert.deepEqual(leaked.length, 0, `${leaked.length} raw values leaked`);
  });

  it('unreadable inputs exit 1 with a clear message that does not echo file contents', () => {
    const missing = custos(['--lang', 'en', 'scan', join(cwd, 'nope.csv')], cwd);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ERR_SCANNER_UNREADABLE_INPUT: .*nope\.csv does not exist/);
    const pg = custos(['--lang', 'en', 'scan', 'postgres://u:secret@db/his'], cwd);
    assert.equal(pg.code, 1);
    assert.match(pg.stderr, /ERR_SCANNER_ADAPTER_MISSING: .*optional "pg" package/);
    assert.ok(!pg.stderr.includes('secret'));
    writeFileSync(join(cwd, 'bad.ndjson'), '{"sfzh":"110102199101010078"}\n{"sfzh": 110102199101010078\n');
    const bad = custos(['--lang', 'en', 'scan', join(cwd, 'bad.ndjson')], cwd);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.ndjson:2 is not a JSON value/);
    assert.ok(!bad.stderr.includes('110102199101010078'));
  });

  it('bad option values are usage errors (exit 2)', () => {
    assert.equal(custos(['scan', '--sample-size', '0', corpus], cwd).code, 2);
    assert.equal(custos(['scan', '--min-confidence', 'high', corpus], cwd).code, 2);
  });
});
