import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { manualClock } from '../../lib/clock.js';
import { chainHash, ed25519Signer, entryText, logHasher, openAuditLog, signCheckpoint, type Finding, type VerifyReport } from '../../audit/index.js';
import fc from 'fast-check';
import { decision, tempDir } from './helpers.js';

const hasher = logHasher('sha256');
const size = 300; // one complete tile (0..255) and a partial one

type Row = { seq: number; ts: number; event: string; prev: Buffer; hash: Buffer };

/** Builds a log with a stored and a saved checkpoint, lets `tamper` edit it raw, then verifies. */
const scenario = async (tamper: (db: Database.Database) => void): Promise<VerifyReport> => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const log = openAuditLog({ file, clock: manualClock(1_700_000_000_000), origin: 'hospital.example/audit' });
    await log.appendMany(Array.from({ length: 100 }, (_, i) => decision(i)));
    await log.checkpoint();
    await log.appendMany(Array.from({ length: size - 100 }, (_, i) => decision(100 + i)));
    const saved = await log.checkpoint();
    const key = log.verifierKey as string;
    await log.close();
    const db = new Database(file);
    // The attacker has raw access: drop the append-only triggers first.
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${name}`);
    tamper(db);
    db.close();
    const reopened = openAuditLog({ file, readonly: true });
    const report = reopened.verify({ verifierKeys: [key], savedCheckpoints: [saved.note] });
    await reopened.close();
    return report;
  } finally {
    cleanup();
  }
};

const row = (db: Database.Database, seq: number): Row => db.prepare('SELECT seq, ts, event, prev, hash FROM entries WHERE seq = ?').get(seq) as Row;
const rehash = (seq: number, ts: number, event: string, prev: Buffer): Buffer => chainHash(hasher, prev, hasher.hashLeaf(Buffer.from(entryText(seq, ts, event))));
const kinds = (report: VerifyReport): string[] => [...new Set(report.findings.map((f) => f.kind))].sort();
const find = (report: VerifyReport, kind: Finding['kind']): Finding[] => report.findings.filter((f) => f.kind === kind);

test('an untouched log verifies', async () => {
  const report = await scenario(() => undefined);
  // Dropping the triggers alone is reported; nothing else is.
  assert.deepEqual(kinds(report), ['triggers-missing']);
  assert.equal(report.entries, size);
  assert.equal(report.checkpointsChecked, 3);
});

test('a modified event is detected and located', async () => {
  const report = await scenario((db) => {
    db.prepare("UPDATE entries SET event = replace(event, '\"read\"', '\"export\"') WHERE seq = 42").run();
  });
  assert.equal(report.ok, false);
  assert.deepEqual(find(report, 'modified').map((f) => [f.seq, f.toSeq]), [[42, undefined]]);
  assert.ok(find(report, 'tile-mismatch').some((f) => f.seq === 0 && f.toSeq === 255));
  assert.ok(find(report, 'checkpoint-mismatch').length >= 2);
  assert.deepEqual(find(report, 'deleted'), []);
  assert.deepEqual(find(report, 'inserted'), []);
});

test('an event modified with its hash recomputed is located by the broken link to its successor', async () => {
  const report = await scenario((db) => {
    const r = row(db, 270);
    const event = r.event.replace('"deny"', '"permit"');
    db.prepare('UPDATE entries SET event = ?, hash = ? WHERE seq = 270').run(event, rehash(270, r.ts, event, r.prev));
  });
  assert.deepEqual(find(report, 'modified').map((f) => f.seq), [270]);
  assert.deepEqual(find(report, 'deleted'), []);
});

test('a deleted event is detected and located', async () => {
  const report = await scenario((db) => {
    db.prepare('DELETE FROM entries WHERE seq = 150').run();
  });
  assert.deepEqual(find(report, 'deleted').map((f) => [f.seq, f.toSeq]), [[150, undefined]]);
  assert.deepEqual(find(report, 'modified'), []);
});

test('deleted events with the log renumbered to hide the gap are detected and located', async () => {
  const report = await scenario((db) => {
    db.prepare('DELETE FROM entries WHERE seq IN (150, 151)').run();
    db.prepare('UPDATE entries SET seq = seq - 2 WHERE seq > 151').run();
  });
  assert.deepEqual(find(report, 'deleted').map((f) => [f.seq, f.toSeq]), [[150, 151]]);
  assert.deepEqual(find(report, 'modified'), []);
  assert.equal(find(report, 'renumbered')[0]?.seq, 150);
});

test('an inserted event is detected and located', async () => {
  const report = await scenario((db) => {
    db.prepare('UPDATE entries SET seq = -(seq + 1) WHERE seq >= 60').run();
    db.prepare('UPDATE entries SET seq = -seq WHERE seq < 0').run();
    const before = row(db, 59);
    const event = JSON.stringify(decision(9999)).replace(/\s/g, '');
    const forged = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(event) as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))));
    db.prepare('INSERT INTO entries (seq, ts, event, prev, hash) VALUES (?, ?, ?, ?, ?)').run(60, before.ts, forged, before.hash, rehash(60, before.ts, forged, before.hash));
  });
  assert.deepEqual(find(report, 'inserted').map((f) => [f.seq, f.toSeq]), [[60, undefined]]);
  assert.deepEqual(find(report, 'deleted'), []);
  assert.deepEqual(find(report, 'modified'), []);
});

test('an inserted event without a valid hash is detected as inserted, not modified', async () => {
  const report = await scenario((db) => {
    db.prepare('UPDATE entries SET seq = -(seq + 1) WHERE seq >= 60').run();
    db.prepare('UPDATE entries SET seq = -seq WHERE seq < 0').run();
    const before = row(db, 59);
    db.prepare('INSERT INTO entries (seq, ts, event, prev, hash) VALUES (?, ?, ?, ?, ?)').run(60, before.ts, '{"kind":"admin"}', before.hash, Buffer.alloc(32, 7));
  });
  assert.deepEqual(find(report, 'inserted').map((f) => f.seq), [60]);
  assert.deepEqual(find(report, 'modified'), []);
});

test('swapped (reordered) events are detected and located', async () => {
  const report = await scenario((db) => {
    const a = row(db, 200);
    const b = row(db, 201);
    const set = db.prepare('UPDATE entries SET ts = ?, event = ?, prev = ?, hash = ? WHERE seq = ?');
    set.run(b.ts, b.event, b.prev, b.hash, 200);
    set.run(a.ts, a.event, a.prev, a.hash, 201);
  });
  const reordered = find(report, 'reordered');
  assert.ok(reordered.length >= 1);
  assert.equal(reordered[0]?.seq, 200);
  assert.deepEqual(find(report, 'deleted'), []);
  assert.deepEqual(find(report, 'inserted'), []);
  assert.deepEqual(find(report, 'modified'), []);
});

test('a truncated tail is detected against the saved checkpoint even when the stored ones are deleted too', async () => {
  const report = await scenario((db) => {
    db.prepare('DELETE FROM entries WHERE seq >= 290').run();
    db.prepare('DELETE FROM checkpoints WHERE size > 290').run();
  });
  const truncated = find(report, 'truncated');
  assert.deepEqual(truncated.map((f) => [f.seq, f.toSeq]), [[290, 299]]);
  assert.deepEqual(find(report, 'deleted'), []);
});

test('a whole rewritten chain (every hash recomputed) is still caught by the checkpoints and tiles', async () => {
  const report = await scenario((db) => {
    const rows = db.prepare('SELECT seq, ts, event, prev, hash FROM entries ORDER BY seq').all() as Row[];
    let prev: Buffer = Buffer.alloc(32);
    const set = db.prepare('UPDATE entries SET event = ?, prev = ?, hash = ? WHERE seq = ?');
    for (const r of rows) {
      const event = r.seq === 120 ? r.event.replace('"read"', '"delete"') : r.event;
      const hash = rehash(r.seq, r.ts, event, prev);
      set.run(event, prev, hash, r.seq);
      prev = hash;
    }
  });
  assert.ok(find(report, 'checkpoint-mismatch').length >= 2);
  assert.ok(find(report, 'tile-mismatch').some((f) => f.seq === 0 && f.toSeq === 255));
});

test('a forged checkpoint (altered note, or signed by another key) is detected', async () => {
  const report = await scenario((db) => {
    const note = db.prepare('SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1').pluck().get() as string;
    db.prepare('INSERT INTO checkpoints (size, time, root, note) VALUES (?, ?, ?, ?)').run(400, 0, Buffer.alloc(32), note.replace('\n300\n', '\n400\n'));
  });
  assert.ok(find(report, 'forged-checkpoint').length === 1);
  const other = ed25519Signer('hospital.example/audit', Buffer.alloc(32, 9));
  const forged = await signCheckpoint({ origin: 'hospital.example/audit', size: 300, root: '00'.repeat(32), time: 0 }, other);
  const report2 = await scenario((db) => {
    db.prepare('INSERT INTO checkpoints (size, time, root, note) VALUES (?, ?, ?, ?)').run(300, 0, Buffer.alloc(32), forged.note);
  });
  assert.ok(find(report2, 'forged-checkpoint').some((f) => /no signature from a trusted key/.test(f.message)));
});

test('the parallel verifier confirms a clean log and falls back to locate tampering', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const log = openAuditLog({ file, clock: manualClock(1_700_000_000_000) });
    await log.appendMany(Array.from({ length: 1500 }, (_, i) => decision(i)));
    await log.checkpoint();
    await log.appendMany(Array.from({ length: 77 }, (_, i) => decision(i)));
    const saved = await log.checkpoint();
    const sequential = log.verify();
    const parallel = await log.verifyParallel({ threads: 3 });
    assert.equal(parallel.ok, true, JSON.stringify(parallel.findings));
    assert.equal(parallel.root, sequential.root);
    assert.equal(parallel.entries, 1577);
    assert.equal(parallel.checkpointsChecked, 2);
    await log.close();
    const db = new Database(file);
    db.exec('DROP TRIGGER entries_no_update');
    db.prepare("UPDATE entries SET event = replace(event, '\"read\"', '\"export\"') WHERE seq = 1234").run();
    db.close();
    const again = openAuditLog({ file, readonly: true });
    const report = await again.verifyParallel({ threads: 2, savedCheckpoints: [saved.note] });
    assert.deepEqual(find(report, 'modified').map((f) => f.seq), [1234]);
    await again.close();
  } finally {
    cleanup();
  }
});

test('property: any single raw edit of a row (event, ts, prev or hash; one flipped bit) is detected and located', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'base.db');
    const log = openAuditLog({ file, clock: manualClock(1_700_000_000_000), origin: 'hospital.example/audit' });
    await log.appendMany(Array.from({ length: 120 }, (_, i) => decision(i)));
    await log.close();
    const key = log.verifierKey as string;
    const { copyFileSync } = await import('node:fs');
    await fc.assert(
      fc.asyncProperty(fc.nat(119), fc.constantFrom('event', 'ts', 'prev', 'hash'), fc.nat(255), async (seq, column, bit) => {
        const copy = join(dir, `t-${seq}-${column}-${bit}.db`);
        copyFileSync(file, copy);
        const db = new Database(copy);
        db.exec('DROP TRIGGER entries_no_update');
        const r = row(db, seq);
        if (column === 'event') {
          const bytes = Buffer.from(r.event);
          const at = bit % bytes.length;
          bytes[at] = (bytes[at] as number) ^ 1;
          db.prepare('UPDATE entries SET event = ? WHERE seq = ?').run(bytes.toString('latin1'), seq);
        } else if (column === 'ts') {
          db.prepare('UPDATE entries SET ts = ? WHERE seq = ?').run(r.ts ^ (1 << (bit % 30)), seq);
        } else {
          const value = Buffer.from(column === 'prev' ? r.prev : r.hash);
          value[bit % 32] = (value[bit % 32] as number) ^ (1 << (bit % 8));
          db.prepare(`UPDATE entries SET ${column} = ? WHERE seq = ?`).run(value, seq);
        }
        db.close();
        const reopened = openAuditLog({ file: copy, readonly: true });
        const report = reopened.verify({ verifierKeys: [key] });
        await reopened.close();
        assert.equal(report.ok, false);
        const located = report.findings.filter((f) => f.kind === 'modified');
        assert.ok(
          located.some((f) => f.seq !== undefined && f.seq <= seq && seq <= (f.toSeq ?? f.seq)) ||
            (column === 'hash' && located.some((f) => f.seq === seq)),
          `${column} edit at ${seq} located: ${JSON.stringify(report.findings)}`,
        );
      }),
      { numRuns: 25 },
    );
  } finally {
    cleanup();
  }
});

test('the parallel verifier itself catches an edit past the last checkpoint with the triggers put back (event, ts, prev, hash)', async () => {
  // Rows after the last checkpoint and in the incomplete last tile are covered by neither a
  // checkpoint root nor a stored tile: only the workers' chain check sees them. With the
  // triggers restored, nothing else sends verifyParallel to the sequential pass.
  const edits: Record<string, { seq: number; sql: string }> = {
    event: { seq: 1090, sql: "UPDATE entries SET event = replace(event, '\"read\"', '\"export\"') WHERE seq = ?" },
    ts: { seq: 1093, sql: 'UPDATE entries SET ts = ts + 1 WHERE seq = ?' },
    prev: { seq: 1095, sql: 'UPDATE entries SET prev = randomblob(32) WHERE seq = ?' },
    hash: { seq: 1099, sql: 'UPDATE entries SET hash = randomblob(32) WHERE seq = ?' },
  };
  for (const [column, edit] of Object.entries(edits)) {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'audit.db');
      const log = openAuditLog({ file, clock: manualClock(1_700_000_000_000) });
      await log.appendMany(Array.from({ length: 1024 }, (_, i) => decision(i)));
      await log.checkpoint();
      await log.appendMany(Array.from({ length: 76 }, (_, i) => decision(1024 + i)));
      const clean = openAuditLog({ file, readonly: true });
      assert.equal((await clean.verifyParallel({ threads: 2 })).ok, true);
      await clean.close();
      const db = new Database(file);
      db.exec('DROP TRIGGER entries_no_update');
      db.prepare(edit.sql).run(edit.seq);
      db.exec("CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;");
      db.close();
      const tampered = openAuditLog({ file, readonly: true });
      const report = await tampered.verifyParallel({ threads: 2 });
      assert.equal(report.ok, false, column);
      assert.ok(report.findings.some((f) => f.seq !== undefined && f.seq <= edit.seq && edit.seq <= (f.toSeq ?? f.seq + 1)), `${column}: ${JSON.stringify(report.findings)}`);
      await tampered.close();
      await log.close().catch(() => undefined);
    } finally {
      cleanup();
    }
  }
});
