import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openAuditLog } from '../../audit/index.js';
import { decision, tempDir } from './helpers.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const custos = (args: string[]) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli', 'main.js'), '--lang', 'en', ...args], { encoding: 'utf8', env: { ...process.env, CUSTOS_LANG: 'en' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const seed = async (dir: string, n: number): Promise<string> => {
  const log = openAuditLog({ file: join(dir, 'audit', 'audit.db') });
  await log.appendMany(Array.from({ length: n }, (_, i) => decision(i, i === 4 ? { breakGlass: true } : {})));
  await log.close();
  return log.verifierKey as string;
};

test('custos audit verify: exit 0 on an intact log, exit 3 with the located seq after tampering', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const key = await seed(dir, 40);
    writeFileSync(join(dir, 'trusted.vkey'), `${key}\n`);
    const ok = custos(['--data-dir', dir, 'audit', 'verify', '--key', join(dir, 'trusted.vkey')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit log verified: 40 entries/);

    const saved = custos(['--data-dir', dir, 'audit', 'checkpoint', '--out', join(dir, 'saved.checkpoint')]);
    assert.equal(saved.code, 0, saved.stderr);
    assert.match(readFileSync(join(dir, 'saved.checkpoint'), 'utf8'), /^custos\.local\/audit\/[0-9a-f]{16}\n40\n/);

    const db = new Database(join(dir, 'audit', 'audit.db'));
    db.exec('DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; DROP TRIGGER checkpoints_no_delete');
    db.prepare("UPDATE entries SET event = replace(event, '\"permit\"', '\"deny\"') WHERE seq = 17").run();
    db.prepare('DELETE FROM entries WHERE seq >= 35').run();
    db.prepare('DELETE FROM checkpoints').run();
    db.close();

    const bad = custos(['--data-dir', dir, 'audit', 'verify', '--key', key, '--checkpoint', join(dir, 'saved.checkpoint')]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stdout, /\[modified\] seq 17/);
    assert.match(bad.stdout, /\[truncated\] seq 35\.\.39/);
    assert.match(bad.stdout, /\[append-only triggers dropped\]/);

    const json = custos(['--data-dir', dir, '--json', 'audit', 'verify', '--key', key]);
    assert.equal(json.code, 3);
    const report = JSON.parse(json.stdout) as { ok: boolean; findings: { kind: string; seq?: number }[] };
    assert.equal(report.ok, false);
    assert.ok(report.findings.some((f) => f.kind === 'modified' && f.seq === 17));
  } finally {
    cleanup();
  }
});

test('custos audit export and verify --bundle: offline check, exit 3 on an edited bundle', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const key = await seed(dir, 30);
    const out = join(dir, 'patient-2.jsonl');
    const exported = custos(['--data-dir', dir, 'audit', 'export', '--patient', 'patient-2', '--out', out]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /exported 6 entries/);
    const ok = custos(['audit', 'verify', '--bundle', out, '--key', key]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const text = readFileSync(out, 'utf8');
    writeFileSync(out, text.replace('"resourceId":"record-12"', '"resourceId":"record-13"'));
    const bad = custos(['audit', 'verify', '--bundle', out, '--key', key]);
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /\[modified\] seq 12/);
  } finally {
    cleanup();
  }
});

test('custos audit query filters and prints JSON; missing log and bad options fail clearly', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await seed(dir, 20);
    const q = custos(['--data-dir', dir, '--json', 'audit', 'query', '--break-glass']);
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual((JSON.parse(q.stdout) as { seq: number }[]).map((e) => e.seq), [4]);
    const p = custos(['--data-dir', dir, '--json', 'audit', 'query', '--patient', 'patient-1', '--decision', 'permit']);
    assert.deepEqual((JSON.parse(p.stdout) as { seq: number }[]).map((e) => e.seq), [1, 11, 16]);
    assert.equal(custos(['--data-dir', dir, 'audit', 'query', '--decision', 'maybe']).code, 2);
    const missing = custos(['--data-dir', join(dir, 'nowhere'), 'audit', 'verify']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /ERR_AUDIT_NOT_FOUND/);
    const refused = custos(['--data-dir', dir, 'audit', 'append', '{"kind":"admin","operation":"x","result":"success","target":"13812345678"}']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /ERR_AUDIT_PERSONAL_DATA/);
    assert.ok(!refused.stderr.includes('13812345678'));
  } finally {
    cleanup();
  }
});

test('custos audit verify uses worker threads on larger logs (built JavaScript worker)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const key = await seed(dir, 2100);
    const ok = custos(['--data-dir', dir, '--json', 'audit', 'verify', '--key', key]);
    assert.equal(ok.code, 0, ok.stderr);
    const report = JSON.parse(ok.stdout) as { ok: boolean; entries: number };
    assert.deepEqual([report.ok, report.entries], [true, 2100]);
    const db = new Database(join(dir, 'audit', 'audit.db'));
    db.exec('DROP TRIGGER entries_no_delete');
    db.prepare('DELETE FROM entries WHERE seq = 1500').run();
    db.close();
    const bad = custos(['--data-dir', dir, 'audit', 'verify', '--key', key]);
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /\[deleted\] seq 1500:/);
  } finally {
    cleanup();
  }
});
