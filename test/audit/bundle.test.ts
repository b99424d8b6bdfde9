import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualClock } from '../../lib/clock.js';
import { ed25519Signer, openAuditLog, sealSegment, verifyBundle, writeBundle } from '../../audit/index.js';
import { decision, tempDir } from './helpers.js';

const exportText = async (log: ReturnType<typeof openAuditLog>, query = {}): Promise<string> => {
  const lines: string[] = [];
  await writeBundle(log, query, (line) => lines.push(line));
  return lines.join('');
};

test('a patient export bundle verifies offline with the auditor key; edits to it are located', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db'), clock: manualClock(1_700_000_000_000) });
    await log.appendMany(Array.from({ length: 400 }, (_, i) => decision(i)));
    const key = log.verifierKey as string;
    const text = await exportText(log, { patientId: 'patient-3' });
    const report = verifyBundle(text, { verifierKeys: [key] });
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    assert.equal(report.entries, 80);
    assert.equal(report.trustedKey, 'given');
    assert.equal(report.treeSize, 400);

    const lines = text.split('\n');
    const edited = lines.map((l) => (l.includes('"seq":8,') ? l.replace('"read"', '"export"') : l)).join('\n');
    const r1 = verifyBundle(edited, { verifierKeys: [key] });
    assert.deepEqual([...new Set(r1.findings.map((f) => `${f.kind}@${f.seq}`))], ['modified@8']);

    const forgedRoot = lines.map((l, i) => (i === 1 ? l.replace(/\\n400\\n/, '\\n401\\n') : l)).join('\n');
    const r2 = verifyBundle(forgedRoot, { verifierKeys: [key] });
    assert.ok(r2.findings.some((f) => f.kind === 'forged-checkpoint'));

    const other = ed25519Signer('someone-else', Buffer.alloc(32, 1)).verifierKey;
    const r3 = verifyBundle(text, { verifierKeys: [other] });
    assert.ok(r3.findings.some((f) => f.kind === 'forged-checkpoint'));
    await log.close();
  } finally {
    cleanup();
  }
});

test('a complete export reports a removed entry as deleted and a cut tail as truncated', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db') });
    await log.appendMany(Array.from({ length: 50 }, (_, i) => decision(i)));
    const key = log.verifierKey as string;
    const text = await exportText(log);
    assert.equal(verifyBundle(text, { verifierKeys: [key] }).ok, true);
    const lines = text.split('\n').filter(Boolean);
    const withoutOne = lines.filter((l) => !l.includes('"seq":20,')).join('\n');
    assert.deepEqual(verifyBundle(withoutOne, { verifierKeys: [key] }).findings.map((f) => [f.kind, f.seq]), [['deleted', 20]]);
    const cut = lines.slice(0, lines.length - 5).join('\n');
    assert.deepEqual(verifyBundle(cut, { verifierKeys: [key] }).findings.map((f) => [f.kind, f.seq, f.toSeq]), [['truncated', 45, 49]]);
    const swapped = [...lines];
    [swapped[12], swapped[13]] = [swapped[13] as string, swapped[12] as string];
    assert.ok(verifyBundle(swapped.join('\n'), { verifierKeys: [key] }).findings.some((f) => f.kind === 'reordered'));
    await log.close();
  } finally {
    cleanup();
  }
});

test('sealing moves old tiles into a verifiable archive; the live log and its proofs still verify', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const log = openAuditLog({ file: join(dir, 'audit.db'), clock });
    await log.appendMany(Array.from({ length: 600 }, (_, i) => decision(i)));
    clock.advance(200 * 86_400_000);
    await log.appendMany(Array.from({ length: 100 }, (_, i) => decision(600 + i)));
    const rootBefore = log.root(700);
    const result = await sealSegment(log, { olderThanDays: 180, archiveDir: join(dir, 'archive'), now: clock.now() });
    assert.deepEqual([result.sealed, result.fromSeq, result.toSeq], [true, 0, 512]);
    assert.ok(result.archive !== undefined && existsSync(result.archive));
    assert.equal(log.query({ limit: 1000 }).length, 188);
    assert.equal(log.root(700), rootBefore);
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    assert.equal(report.firstSeq, 512);
    assert.equal(log.inclusionProof(650).seq, 650);
    assert.throws(() => log.inclusionProof(10), { code: 'ERR_AUDIT_NOT_FOUND' });
    const archive = verifyBundle(readFileSync(result.archive, 'utf8'), { verifierKeys: [log.verifierKey as string] });
    assert.equal(archive.ok, true, JSON.stringify(archive.findings));
    assert.equal(archive.entries, 512);
    // Nothing more is old enough: a second seal is a no-op.
    assert.equal((await sealSegment(log, { olderThanDays: 180, archiveDir: join(dir, 'archive'), now: clock.now() })).sealed, false);
    await log.append(decision(1));
    await log.close();
    const again = openAuditLog({ file: join(dir, 'audit.db') });
    assert.equal(again.size, 701);
    assert.equal(again.verify().ok, true);
    await again.close();
  } finally {
    cleanup();
  }
});

test('a bundle whose own key was replaced by garbage is reported, not crashed on', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db') });
    await log.appendMany(Array.from({ length: 5 }, (_, i) => decision(i)));
    const text = await exportText(log);
    const [header, ...rest] = text.split('\n');
    const broken = [JSON.stringify({ ...JSON.parse(header as string), verifierKey: 'not-a-key' }), ...rest].join('\n');
    const report = verifyBundle(broken);
    assert.equal(report.ok, false);
    assert.equal(report.trustedKey, 'bundle');
    assert.ok(report.findings.some((f) => f.kind === 'forged-checkpoint'));
    assert.throws(() => verifyBundle(text, { verifierKeys: ['not-a-key'] }), { code: 'ERR_AUDIT_KEY' });
    await log.close();
  } finally {
    cleanup();
  }
});
