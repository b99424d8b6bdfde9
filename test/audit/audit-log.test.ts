import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualClock } from '../../lib/clock.js';
import {
  entryText,
  hashLeaf,
  logHasher,
  merkleRoot,
  openAuditLog,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  type AuditEvent,
} from '../../audit/index.js';
import { canonicalize } from '../../lib/canonical-json.js';
import { decision, tempDir } from './helpers.js';

test('append resolves with consecutive seqs and hashes; concurrent appends share transactions', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db'), clock: manualClock(1_700_000_000_000) });
    const results = await Promise.all(Array.from({ length: 600 }, (_, i) => log.append(decision(i))));
    assert.deepEqual(results.map((r) => r.seq), Array.from({ length: 600 }, (_, i) => i));
    assert.ok(results.every((r) => /^[0-9a-f]{64}$/.test(r.hash)));
    assert.equal(log.size, 600);
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    assert.equal(report.entries, 600);
    await log.close();
  } finally {
    cleanup();
  }
});

test('the tree root, inclusion and consistency proofs of the log match the pure Merkle functions', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db'), clock: manualClock(1_700_000_000_000) });
    await log.appendMany(Array.from({ length: 777 }, (_, i) => decision(i)));
    const leaves = [...log.rows()].map((r) => hashLeaf(Buffer.from(entryText(r.seq, r.ts, r.event))));
    for (const size of [1, 2, 255, 256, 257, 512, 700, 777]) {
      assert.equal(log.root(size), merkleRoot(leaves.slice(0, size)).toString('hex'), `root ${size}`);
    }
    for (const [seq, size] of [[0, 1], [5, 777], [255, 256], [256, 777], [600, 700], [776, 777], [300, 513]] as const) {
      const p = log.inclusionProof(seq, size);
      assert.equal(p.leafHash, (leaves[seq] as Buffer).toString('hex'));
      assert.ok(verifyInclusion(seq, size, leaves[seq] as Buffer, p.proof.map((h) => Buffer.from(h, 'hex')), merkleRoot(leaves.slice(0, size))), `${seq}/${size}`);
    }
    for (const [a, b] of [[1, 777], [256, 512], [300, 777], [777, 777], [255, 257]] as const) {
      const proof = log.consistencyProof(a, b).map((h) => Buffer.from(h, 'hex'));
      assert.ok(verifyConsistency(a, b, proof, merkleRoot(leaves.slice(0, a)), merkleRoot(leaves.slice(0, b))), `${a}->${b}`);
    }
    await log.close();
  } finally {
    cleanup();
  }
});

test('stored events are the canonical JSON (RFC 8785) of the appended event', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db') });
    const event = { policyVersion: 'v2', kind: 'policy-change', change: 'reload' } as const;
    await log.append(event);
    const [row] = [...log.rows()];
    assert.equal(row?.event, canonicalize(event));
    assert.equal(row?.event, '{"change":"reload","kind":"policy-change","policyVersion":"v2"}');
    await log.close();
  } finally {
    cleanup();
  }
});

test('checkpoints are C2SP signed notes that verify with the log key and carry size, root and time', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const clock = manualClock(1_700_000_000_000);
    const log = openAuditLog({ file: join(dir, 'audit.db'), clock, origin: 'hospital.example/audit' });
    await log.appendMany(Array.from({ length: 10 }, (_, i) => decision(i)));
    const cp = await log.checkpoint();
    const lines = cp.note.split('\n');
    assert.equal(lines[0], 'hospital.example/audit');
    assert.equal(lines[1], '10');
    assert.equal(Buffer.from(lines[2] as string, 'base64').toString('hex'), log.root(10));
    assert.equal(lines[3], 'time 1700000000000');
    assert.equal(lines[4], '');
    assert.match(lines[5] as string, /^\u2014 hospital\.example\/audit [A-Za-z0-9+/]+=*$/);
    const verifier = parseVerifierKey(log.verifierKey as string);
    const head = openCheckpoint(cp.note, [verifier]);
    assert.deepEqual({ size: head.size, root: head.root, time: head.time }, { size: 10, root: log.root(10), time: 1_700_000_000_000 });
    // The signature blob is key ID (4 bytes) || Ed25519 signature (64 bytes).
    const blob = Buffer.from((lines[5] as string).split(' ')[2] as string, 'base64');
    assert.equal(blob.length, 68);
    assert.deepEqual(blob.subarray(0, 4), Buffer.from(verifier.keyId));
    // The key file is the golang.org/x/mod/sumdb/note private key encoding, mode 0600.
    assert.match(readFileSync(join(dir, 'audit-log.key'), 'utf8'), /^PRIVATE\+KEY\+hospital\.example\/audit\+[0-9a-f]{8}\+/);
    await log.close();
  } finally {
    cleanup();
  }
});

test('events with personal data are refused and the error does not echo the value', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db') });
    const idNumber = '11010519491231002X';
    const mobile = '13812345678';
    const cases: [unknown, string][] = [
      [{ ...decision(1), name: 'Zhang San' }, '$.name'],
      [{ ...decision(1), idCardNo: idNumber }, '$.idCardNo'],
      [{ ...decision(1), extra: { Phone: mobile } }, '$.extra.Phone'],
      [{ ...decision(1), resourceId: idNumber }, '$.resourceId'],
      [{ ...decision(1), subjectId: `tel:+86 ${mobile}` }, '$.subjectId'],
      [{ ...decision(1), reasons: ['rule-1', mobile] }, '$.reasons[1]'],
      [{ kind: 'consent', consentId: 'c1', patientId: 'p1', change: 'grant', address: 'Beijing' }, '$.address'],
    ];
    for (const [event, path] of cases) {
      await assert.rejects(log.append(event as AuditEvent), (error: Error & { code: string; path: string }) => {
        assert.equal(error.code, 'ERR_AUDIT_PERSONAL_DATA');
        assert.equal(error.path, path);
        assert.ok(!error.message.includes(idNumber) && !error.message.includes(mobile) && !error.message.includes('Zhang'));
        return true;
      });
    }
    await assert.rejects(log.append({ kind: 'nope' } as unknown as AuditEvent), { code: 'ERR_AUDIT_INVALID_EVENT' });
    await assert.rejects(log.append({ ...decision(1), decision: 'maybe' } as unknown as AuditEvent), { code: 'ERR_AUDIT_INVALID_EVENT' });
    await assert.rejects(log.append(JSON.parse('{"kind":"admin","operation":"x","result":"success","__proto__":{"a":1}}')), { code: 'ERR_AUDIT_INVALID_EVENT' });
    // A UUID, a 13-digit timestamp string and a record id are not mistaken for personal data.
    await log.append(decision(1, { resourceId: 'rec-1700000000000', requestId: '01901234-5678-7abc-8def-138123456789' }));
    assert.equal(log.size, 1);
    await log.close();
  } finally {
    cleanup();
  }
});

test('query filters by patient, subject, resource, decision, break-glass and time', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const clock = manualClock(1_700_000_000_000);
    const log = openAuditLog({ file: join(dir, 'audit.db'), clock });
    for (let i = 0; i < 30; i++) {
      await log.append(decision(i, i === 7 ? { breakGlass: true } : {}));
      clock.advance(1000);
    }
    await log.append({ kind: 'break-glass', subjectId: 'doctor-1', patientId: 'patient-2', reasonCode: 'emergency-treatment' });
    const patient = log.query({ patientId: 'patient-2' });
    assert.deepEqual(patient.map((e) => e.seq), [2, 7, 12, 17, 22, 27, 30]);
    assert.deepEqual(log.query({ subjectId: 'doctor-3' }).map((e) => e.seq), [3, 10, 17, 24]);
    assert.deepEqual(log.query({ resourceId: 'record-4' }).map((e) => e.seq), [4]);
    assert.equal(log.query({ decision: 'deny' }).length, 10);
    assert.deepEqual(log.query({ breakGlass: true }).map((e) => e.seq), [7, 30]);
    assert.deepEqual(log.query({ from: 1_700_000_005_000, to: new Date(1_700_000_008_000).toISOString() }).map((e) => e.seq), [5, 6, 7]);
    assert.equal(log.query({ limit: 3 }).length, 3);
    assert.equal(log.query({ kind: 'break-glass' })[0]?.event.kind, 'break-glass');
    await log.close();
  } finally {
    cleanup();
  }
});

test('SM3 logs hash with SM3 and keep their algorithm on reopen', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const log = openAuditLog({ file, hash: 'sm3' });
    await log.append(decision(1));
    const row = [...log.rows()][0];
    assert.ok(row);
    const sm3 = logHasher('sm3');
    assert.equal(row?.hash.toString('hex'), sm3.digest(Buffer.concat([Buffer.from([2]), Buffer.alloc(32), sm3.hashLeaf(Buffer.from(entryText(0, row.ts, row.event)))])).toString('hex'));
    await log.close();
    assert.throws(() => openAuditLog({ file, hash: 'sha256' }), { code: 'ERR_AUDIT_STORE' });
    const again = openAuditLog({ file });
    assert.equal(again.algorithm, 'sm3');
    assert.equal(again.verify().ok, true);
    await again.close();
  } finally {
    cleanup();
  }
});

test('two handles on one file (as two processes would) interleave appends without breaking the chain', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const a = openAuditLog({ file });
    const b = openAuditLog({ file });
    for (let round = 0; round < 5; round++) {
      await Promise.all([a.appendMany(Array.from({ length: 100 }, (_, i) => decision(i))), b.appendMany(Array.from({ length: 77 }, (_, i) => decision(i)))]);
    }
    assert.equal(a.root(885), b.root(885));
    await a.close();
    await b.close();
    const check = openAuditLog({ file });
    assert.equal(check.size, 885);
    const report = check.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    assert.ok(report.checkpointsChecked >= 2);
    await check.close();
  } finally {
    cleanup();
  }
});

test('UPDATE and DELETE are refused by triggers', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const log = openAuditLog({ file });
    await log.append(decision(1));
    await log.checkpoint();
    await log.close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file);
    assert.throws(() => db.prepare("UPDATE entries SET event = '{}' WHERE seq = 0").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM entries WHERE seq = 0').run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM checkpoints').run(), /append-only/);
    assert.throws(() => db.prepare("UPDATE meta SET value = 'x'").run(), /fixed/);
    db.close();
  } finally {
    cleanup();
  }
});

test('periodic checkpoints are written while entries arrive, and not when nothing changed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db'), checkpointIntervalMs: 20 });
    await log.append(decision(1));
    await new Promise((r) => setTimeout(r, 120));
    const first = log.checkpoints().length;
    assert.equal(first, 1);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(log.checkpoints().length, first);
    await log.append(decision(2));
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(log.checkpoints().map((c) => c.size), [1, 2]);
    await log.close();
    const reopened = openAuditLog({ file: join(dir, 'audit.db'), readonly: true });
    assert.equal(reopened.checkpoints().length, 2);
    await reopened.close();
  } finally {
    cleanup();
  }
});

test('a closed log refuses appends; close flushes pending appends first', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db'), groupCommitMs: 1000 });
    const pending = log.append(decision(1));
    await log.close();
    assert.equal((await pending).seq, 0);
    await assert.rejects(log.append(decision(2)), { code: 'ERR_AUDIT_CLOSED' });
  } finally {
    cleanup();
  }
});

test('appendMany is all or nothing: one bad event rejects the call and appends none', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = openAuditLog({ file: join(dir, 'audit.db') });
    await assert.rejects(log.appendMany([decision(1), { ...decision(2), phone: '13812345678' } as AuditEvent, decision(3)]), { code: 'ERR_AUDIT_PERSONAL_DATA' });
    await log.flush();
    assert.equal(log.size, 0);
    const results = await log.appendMany([decision(1), decision(2)]);
    assert.deepEqual(results.map((r) => r.seq), [0, 1]);
    await log.close();
  } finally {
    cleanup();
  }
});
