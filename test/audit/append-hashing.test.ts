import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { manualClock } from '../../lib/clock.js';
import { chainHash, entryText, eventJson, logHasher, merkleRoot, openAuditLog, verifyInclusion, type HashAlgorithm } from '../../audit/index.js';
import { chainWriter, rowLeafHash } from '../../audit/hash-chain.js';
import { tileAccumulator, tileWidth } from '../../audit/log-tree.js';
import { decision, tempDir } from './helpers.js';

// The append path hashes into latin1 strings (one character per byte); these tests hold it to
// the Buffer functions that verification, proofs and the published vectors use.
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

for (const algorithm of ['sha256', 'sm3'] as HashAlgorithm[]) {
  test(`property (${algorithm}): the writer's leaf, chain and node hashes are the verifier's bytes`, () => {
    const hasher = logHasher(algorithm);
    const writer = chainWriter(algorithm);
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.string({ unit: 'grapheme', maxLength: 80 }), bytes32, bytes32, bytes32, (seq, ts, text, prev, a, b) => {
        const json = JSON.stringify({ kind: 'admin', operation: text, result: 'ok' });
        const leaf = writer.leaf(seq, ts, json);
        assert.equal(leaf, latin1(rowLeafHash(hasher, seq, ts, json)));
        assert.equal(leaf, latin1(hasher.hashLeaf(Buffer.from(entryText(seq, ts, json)))));
        assert.equal(writer.chain(latin1(prev), leaf), latin1(chainHash(hasher, prev, Buffer.from(leaf, 'latin1'))));
        assert.equal(writer.node(latin1(a), latin1(b)), latin1(hasher.hashChildren(a, b)));
      }),
      { numRuns: 300 },
    );
  });
}

test('property: the tile accumulator returns MTH of every 256 leaves, holds the rest, and copies are independent', () => {
  const hasher = logHasher('sha256');
  const writer = chainWriter('sha256');
  fc.assert(
    fc.property(fc.nat(tileWidth - 1), fc.nat(700), (start, count) => {
      const leaves = Array.from({ length: start + count }, (_, i) => hasher.hashLeaf(Buffer.from(String(i))));
      const acc = tileAccumulator(writer.node, leaves.slice(0, start).map(latin1));
      const roots: string[] = [];
      const copyBefore = acc.copy();
      for (const leaf of leaves.slice(start)) {
        const root = acc.push(latin1(leaf));
        if (root !== undefined) roots.push(root);
      }
      const complete = Math.floor(leaves.length / tileWidth);
      assert.deepEqual(roots, Array.from({ length: complete }, (_, t) => latin1(merkleRoot(leaves.slice(t * tileWidth, (t + 1) * tileWidth), hasher))));
      assert.deepEqual(acc.leaves, leaves.slice(complete * tileWidth).map(latin1));
      assert.equal(copyBefore.leaves.length, start);
      // The copy goes on by itself to the same roots.
      const copyRoots = leaves.slice(start).map((leaf) => copyBefore.push(latin1(leaf))).filter((r) => r !== undefined);
      assert.deepEqual(copyRoots, roots);
    }),
    { numRuns: 60 },
  );
});

test('batches of every size across tile boundaries, and a reopen mid-tile, give the Merkle root, tiles and proofs of the pure functions', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const clock = manualClock(1_700_000_000_000);
    const hasher = logHasher('sha256');
    const sizes = [1, 255, 3, 256, 0, 513, 7, 300];
    let log = openAuditLog({ file, clock });
    const acks: { seq: number; hash: string }[] = [];
    for (const [b, n] of sizes.entries()) {
      if (b === 5) {
        await log.close();
        log = openAuditLog({ file, clock });
      }
      acks.push(...(await Promise.all(Array.from({ length: n }, (_, i) => log.append(decision(acks.length + i))))));
      clock.advance(1);
    }
    const rows = [...log.rows()];
    assert.equal(rows.length, acks.length);
    const leaves = rows.map((r) => rowLeafHash(hasher, r.seq, r.ts, r.event));
    let prev: Buffer = Buffer.alloc(32);
    for (const [i, r] of rows.entries()) {
      assert.equal(r.seq, i);
      assert.equal(r.event, eventJson(decision(i)));
      assert.ok(r.prev.equals(prev));
      prev = chainHash(hasher, prev, leaves[i] as Buffer);
      assert.ok(r.hash.equals(prev));
      assert.equal(acks[i]?.hash, prev.toString('hex'));
    }
    const root = merkleRoot(leaves, hasher);
    assert.equal(log.root(), root.toString('hex'));
    for (const seq of [0, 255, 256, 700, rows.length - 1]) {
      const p = log.inclusionProof(seq);
      assert.ok(verifyInclusion(seq, rows.length, leaves[seq] as Buffer, p.proof.map((h) => Buffer.from(h, 'hex')), root));
    }
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    await log.close();
  } finally {
    cleanup();
  }
});

test('a flat event is read once: a getter cannot pass the check with one value and be stored with another', () => {
  let reads = 0;
  const event = { ...decision(1) } as Record<string, unknown>;
  Object.defineProperty(event, 'purpose', {
    enumerable: true,
    get: () => {
      reads += 1;
      return reads === 1 ? 'treatment' : '13800138000';
    },
  });
  const json = eventJson(event);
  assert.equal(reads, 1);
  assert.equal((JSON.parse(json) as { purpose: string }).purpose, 'treatment');
});
