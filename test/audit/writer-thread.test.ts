import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AuditLog, logHasher, merkleRoot, openAuditLog, verifyInclusion } from '../../audit/index.js';
import { rowLeafHash } from '../../audit/hash-chain.js';
import { openSqliteStore } from '../../audit/sqlite/sqlite-store.js';
import type { AuditStore } from '../../audit/store.js';
import { decision, tempDir } from './helpers.js';

// Bursts of at least 256 appends are committed by the writer thread (its own connection); the
// fsync, the acknowledgements and the refusal rules stay on the main thread.
const burst = (log: AuditLog, from: number, n: number) => Promise.all(Array.from({ length: n }, (_, i) => log.append(decision(from + i))));

test('writer thread: a failed fsync rejects the burst committed by the thread and every later append; close still closes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const real = openSqliteStore(file);
    let failNext = false;
    const store: AuditStore = { ...real, sync: () => (failNext ? Promise.reject(Object.assign(new Error('input/output error'), { code: 'EIO' })) : real.sync()) };
    // The third argument is what openAuditLog passes: the log owns its file, so it may start a thread.
    const log = new AuditLog({ file }, store, true);
    const first = await burst(log, 0, 300);
    assert.deepEqual(first.map((r) => r.seq), Array.from({ length: 300 }, (_, i) => i));
    failNext = true;
    const results = await Promise.allSettled(Array.from({ length: 600 }, (_, i) => log.append(decision(300 + i))));
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'ERR_AUDIT_STORE'));
    failNext = false;
    await assert.rejects(burst(log, 900, 300), { code: 'ERR_AUDIT_STORE' });
    await log.close();
    await assert.rejects(log.append(decision(2000)), { code: 'ERR_AUDIT_CLOSED' });
    const reopened = openAuditLog({ file, readonly: true });
    const rows = [...reopened.rows(0, 300)];
    assert.deepEqual(rows.map((r) => r.hash.toString('hex')), first.map((r) => r.hash));
    assert.equal(reopened.verify().ok, true);
    await reopened.close();
  } finally {
    cleanup();
  }
});

test('writer thread: two handles in one process, one in bursts and one inline, interleave into one chain; proofs follow', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const a = openAuditLog({ file });
    const b = openAuditLog({ file });
    let next = 0;
    const acks: { seq: number; hash: string }[] = [];
    for (let round = 0; round < 4; round++) {
      const [big, small] = await Promise.all([burst(a, next, 400), burst(b, next + 400, 5)]);
      acks.push(...big, ...small);
      next += 405;
      // Proofs from the bursting handle after the other wrote: its view re-reads the tail.
      const size = a.size;
      const p = a.inclusionProof(size - 1);
      const leaves = [...a.rows(0, size)].map((r) => rowLeafHash(logHasher('sha256'), r.seq, r.ts, r.event));
      assert.equal(a.root(size), merkleRoot(leaves).toString('hex'));
      assert.ok(verifyInclusion(size - 1, size, leaves[size - 1] as Buffer, p.proof.map((h) => Buffer.from(h, 'hex')), merkleRoot(leaves)));
    }
    await a.close();
    await b.close();
    const log = openAuditLog({ file, readonly: true });
    assert.equal(log.size, 4 * 405);
    const stored = new Map([...log.rows()].map((r) => [r.seq, r.hash.toString('hex')]));
    for (const { seq, hash } of acks) assert.equal(stored.get(seq), hash);
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    await log.close();
  } finally {
    cleanup();
  }
});

test('writer thread: a log that is never closed does not keep the process alive once idle', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const audit = pathToFileURL(join(import.meta.dirname, '..', '..', 'audit', 'index.ts')).href;
    const code = `const { openAuditLog } = await import(${JSON.stringify(audit)});
      const log = openAuditLog({ file: ${JSON.stringify(file)} });
      const r = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append({ kind: 'admin', operation: 'op', target: 't-' + i, result: 'ok' })));
      console.log('acked', r.length);`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.signal, null, 'the process had to be killed: the writer thread kept it alive');
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /acked 300/);
    const log = openAuditLog({ file, readonly: true });
    assert.equal(log.size, 300);
    assert.equal(log.verify().ok, true);
    void log.close();
  } finally {
    cleanup();
  }
});

test('writer thread: another writer completing a tile between batches does not confuse proofs', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const a = openAuditLog({ file });
    const b = openAuditLog({ file, writerThread: false });
    for (let round = 0; round < 3; round++) {
      // a posts 256 to its thread at once; b's 300 commit inline on the next turn, completing a
      // tile a has not seen; then a's 44 commit after them (through the thread when its first
      // batch is still in flight, else inline). The interleaving is not forced: whichever
      // happens, a's root and proofs must be those of the rows.
      const base = round * 600;
      await Promise.all([burst(a, base, 256), burst(b, base + 256, 300), burst(a, base + 556, 44)]);
      const size = a.size;
      const leaves = [...a.rows(0, a.store.tail().size)].map((r) => rowLeafHash(logHasher('sha256'), r.seq, r.ts, r.event));
      const root = merkleRoot(leaves.slice(0, size));
      assert.equal(a.root(size), root.toString('hex'));
      for (const seq of [0, size - 1, Math.floor(size / 2)]) {
        const p = a.inclusionProof(seq, size);
        assert.ok(verifyInclusion(seq, size, leaves[seq] as Buffer, p.proof.map((h) => Buffer.from(h, 'hex')), root), `proof of ${seq} in ${size}`);
      }
    }
    await a.close();
    await b.close();
    const log = openAuditLog({ file, readonly: true });
    assert.equal(log.size, 1800);
    assert.equal(log.verify().ok, true);
    await log.close();
  } finally {
    cleanup();
  }
});
