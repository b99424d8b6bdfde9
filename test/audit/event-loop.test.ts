import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AuditLog, openAuditLog } from '../../audit/index.js';
import { openSqliteStore } from '../../audit/sqlite/sqlite-store.js';
import type { AuditStore } from '../../audit/store.js';
import { decision, tempDir } from './helpers.js';

// The sidecar answers a decision only once its audit event is durable; the fsync that makes it
// durable must not stop the event loop, or every other request waits for the disk too. A
// heartbeat (setImmediate, so it runs once per loop turn) watches the log: whenever it sees
// entries committed (log.size) that are not yet acknowledged, the loop is turning while a
// commit's fsync is in flight. With a synchronous fsync inside the commit that state is never
// observable, because the commit and the acknowledgements happen in one uninterrupted call.
test('the event loop keeps turning while a group commit is being fsynced', async () => {
  const { dir, cleanup } = tempDir();
  const log = openAuditLog({ file: join(dir, 'audit.db'), groupCommitMs: 1, maxBatch: 100 });
  try {
    const total = 3000;
    let acknowledged = 0;
    let running = true;
    let beats = 0;
    const inFlightSizes = new Set<number>();
    const beat = (): void => {
      if (!running) return;
      beats += 1;
      if (log.size > acknowledged) inFlightSizes.add(log.size);
      setImmediate(beat);
    };
    setImmediate(beat);
    const ackBeats = new Set<number>();
    const appends = Array.from({ length: total }, (_, i) =>
      log.append(decision(i)).then((r) => {
        acknowledged += 1;
        ackBeats.add(beats);
        return r;
      }),
    );
    const results = await Promise.all(appends);
    running = false;
    assert.equal(results.length, total);
    assert.deepEqual(results.map((r) => r.seq), Array.from({ length: total }, (_, i) => i));
    // Committed-but-not-yet-durable entries were seen by the heartbeat: the loop turned during
    // fsyncs. Most of the 30 commits (batches of 100) were seen that way, not just one.
    assert.ok(inFlightSizes.size >= 15, `heartbeat saw ${inFlightSizes.size} commits in flight (${beats} beats)`);
    // Acknowledgements arrived in several groups with heartbeats between them.
    assert.ok(ackBeats.size >= 2, `acknowledgements came between ${ackBeats.size} distinct heartbeats`);
    // Nothing was acknowledged before it was committed.
    assert.equal(log.size, total);
    assert.equal(log.verify().ok, true);
  } finally {
    await log.close();
    cleanup();
  }
});

test('flush() and close() wait for durability; a closed log refuses appends', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const log = openAuditLog({ file, groupCommitMs: 50 });
    let resolved = 0;
    const pending = Array.from({ length: 10 }, (_, i) => log.append(decision(i)).then(() => (resolved += 1)));
    await log.flush();
    // flush() returns only after the fsync that covers the queued events has finished, and
    // their promises resolved before it.
    assert.equal(resolved, 10);
    await Promise.all(pending);
    const late = log.append(decision(10));
    const closing = log.close();
    // While close waits for the last fsync, appends are refused (not queued for a closed store),
    // and a second close waits for the first.
    await assert.rejects(log.append(decision(11)), { code: 'ERR_AUDIT_CLOSED' });
    await Promise.all([closing, log.close()]);
    assert.equal((await late).seq, 10);
    await assert.rejects(log.append(decision(12)), { code: 'ERR_AUDIT_CLOSED' });
    const again = openAuditLog({ file, readonly: true });
    assert.equal(again.size, 11);
    await again.close();
  } finally {
    cleanup();
  }
});

test('a failed fsync rejects the appends waiting for it and every later one; close still closes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const real = openSqliteStore(file);
    let failNext = false;
    // The real store with a disk that fails one fsync (EIO), as a dying disk would.
    const store: AuditStore = { ...real, sync: () => (failNext ? Promise.reject(Object.assign(new Error('input/output error'), { code: 'EIO' })) : real.sync()) };
    const log = new AuditLog({ file }, store);
    const first = await log.append(decision(0));
    assert.equal(first.seq, 0);
    failNext = true;
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => log.append(decision(i + 1))));
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'ERR_AUDIT_STORE'), JSON.stringify(results.map((r) => r.status)));
    failNext = false;
    // A later fsync would succeed, but proves nothing about pages the kernel may have dropped.
    await assert.rejects(log.append(decision(99)), { code: 'ERR_AUDIT_STORE' });
    await log.close();
    await assert.rejects(log.append(decision(100)), { code: 'ERR_AUDIT_CLOSED' });
    // What was acknowledged is there; the chain is intact whatever became of the rest.
    const reopened = openAuditLog({ file, readonly: true });
    assert.equal([...reopened.rows(0, 1)][0]?.hash.toString('hex'), first.hash);
    assert.equal(reopened.verify().ok, true);
    await reopened.close();
  } finally {
    cleanup();
  }
});
