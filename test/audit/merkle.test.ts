import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  consistencyProof,
  createFrontier,
  hashChildren,
  hashLeaf,
  inclusionProof,
  logHasher,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from '../../audit/index.js';

const repoRoot = join(import.meta.dirname, '..', '..');
// JSON.parse would round leafIdx 2^64-1 to 2^64 (a float); keep every huge integer as a string
// so the verifier sees an invalid index rather than a rounded one.
const vectors = JSON.parse(
  readFileSync(join(repoRoot, '..', 'shared', 'vectors', 'rfc6962.json'), 'utf8').replace(/:\s*(\d{16,})/g, ':"$1"'),
) as Vectors;

interface Vectors {
  hasher: { fn: string; input?: string; left?: string; right?: string; want: string }[];
  tree: { leafInputs: string[]; nodeHashesByLevel: string[][]; rootsByTreeSize: Record<string, string> };
  inclusionProofs: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistencyProofs: { size1: number; size2: number; proof: string[] }[];
  probes: {
    inclusion: { file: string; leafIdx: number | string; treeSize: number | string; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }[];
    consistency: { file: string; size1: number | string; size2: number | string; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }[];
  };
}

const hex = (s: string | null | undefined): Buffer => Buffer.from(s ?? '', 'hex');
const num = (v: number | string): number => (typeof v === 'number' ? v : Number.NaN);
const leaves = vectors.tree.leafInputs.map((l) => hashLeaf(hex(l)));

test('hasher vectors: empty root, leaf hashes, node hash (RFC 6962 / RFC 9162 §2.1.1)', () => {
  for (const v of vectors.hasher) {
    if (v.fn === 'emptyRoot') assert.equal(logHasher().emptyRoot().toString('hex'), v.want, v.fn);
    else if (v.fn === 'hashLeaf') assert.equal(hashLeaf(hex(v.input)).toString('hex'), v.want, v.fn);
    else if (v.fn === 'hashChildren') assert.equal(hashChildren(hex(v.left), hex(v.right)).toString('hex'), v.want, v.fn);
    else assert.fail(`unknown hasher vector ${v.fn}`);
  }
});

test('roots for tree sizes 0..8 and node hashes by level match the published values', () => {
  const roots = Object.entries(vectors.tree.rootsByTreeSize);
  assert.equal(roots.length, 9);
  for (const [size, want] of roots) {
    assert.equal(merkleRoot(leaves.slice(0, Number(size))).toString('hex'), want, `size ${size}`);
  }
  const level0 = vectors.tree.nodeHashesByLevel[0] as string[];
  assert.deepEqual(leaves.map((l) => l.toString('hex')), level0);
});

test('inclusion proofs match the proofgen vectors and verify', () => {
  for (const v of vectors.inclusionProofs) {
    const proof = inclusionProof(v.leafIndex, leaves, v.treeSize);
    assert.deepEqual(proof.map((p) => p.toString('hex')), v.proof, `${v.leafIndex}/${v.treeSize}`);
    const root = merkleRoot(leaves.slice(0, v.treeSize));
    assert.ok(verifyInclusion(v.leafIndex, v.treeSize, leaves[v.leafIndex] as Buffer, proof, root));
  }
});

test('consistency proofs match the proofgen vectors and verify', () => {
  for (const v of vectors.consistencyProofs) {
    const proof = consistencyProof(v.size1, leaves, v.size2);
    assert.deepEqual(proof.map((p) => p.toString('hex')), v.proof, `${v.size1}->${v.size2}`);
    assert.ok(verifyConsistency(v.size1, v.size2, proof, merkleRoot(leaves.slice(0, v.size1)), merkleRoot(leaves.slice(0, v.size2))));
  }
});

test('inclusion probes: happy paths verify, every corrupted probe is rejected', () => {
  assert.ok(vectors.probes.inclusion.length >= 90);
  for (const p of vectors.probes.inclusion) {
    const ok = verifyInclusion(num(p.leafIdx), num(p.treeSize), hex(p.leafHash), (p.proof ?? []).map(hex), hex(p.root));
    assert.equal(ok, !p.wantErr, `${p.file}: ${p.desc}`);
  }
});

test('the leafIdx 2^64-1 probe is parsed as invalid, not rounded', () => {
  const huge = vectors.probes.inclusion.filter((p) => typeof p.leafIdx === 'string');
  assert.ok(huge.length >= 1);
  for (const p of huge) assert.equal(verifyInclusion(num(p.leafIdx), num(p.treeSize), hex(p.leafHash), (p.proof ?? []).map(hex), hex(p.root)), false);
  assert.equal(verifyInclusion(2 ** 64 - 1, 8, leaves[0] as Buffer, [], merkleRoot(leaves)), false);
});

test('consistency probes: happy paths verify, every corrupted probe is rejected', () => {
  assert.ok(vectors.probes.consistency.length >= 90);
  for (const p of vectors.probes.consistency) {
    const ok = verifyConsistency(num(p.size1), num(p.size2), (p.proof ?? []).map(hex), hex(p.root1), hex(p.root2));
    assert.equal(ok, !p.wantErr, `${p.file}: ${p.desc}`);
  }
});

// Leaves are distinct (the index is part of the data): with equal leaves, a proof for one index
// legitimately verifies for its twin.
const arbTree = fc
  .array(fc.uint8Array({ minLength: 0, maxLength: 12 }), { minLength: 1, maxLength: 70 })
  .map((data) => data.map((d, i) => hashLeaf(Buffer.concat([Buffer.from(`${i}:`), d]))));

const flipBit = (proof: Buffer[], which: number, bit: number): Buffer[] =>
  proof.map((p, i) => {
    if (i !== which) return p;
    const copy = Buffer.from(p);
    copy[Math.floor(bit / 8) % 32] = (copy[Math.floor(bit / 8) % 32] as number) ^ (1 << (bit % 8));
    return copy;
  });

test('property: every inclusion proof of a random tree verifies; any single-bit change fails', () => {
  fc.assert(
    fc.property(arbTree, fc.nat(), fc.nat(), fc.nat(255), (tree, a, b, bit) => {
      const size = 1 + (a % tree.length);
      const index = b % size;
      const root = merkleRoot(tree.slice(0, size));
      const proof = inclusionProof(index, tree, size);
      assert.ok(verifyInclusion(index, size, tree[index] as Buffer, proof, root));
      if (proof.length > 0) assert.equal(verifyInclusion(index, size, tree[index] as Buffer, flipBit(proof, b % proof.length, bit), root), false);
      const badLeaf = flipBit([tree[index] as Buffer], 0, bit)[0] as Buffer;
      assert.equal(verifyInclusion(index, size, badLeaf, proof, root), false);
      assert.equal(verifyInclusion(index, size, tree[index] as Buffer, proof, flipBit([root], 0, bit)[0] as Buffer), false);
      if (size > 1) assert.equal(verifyInclusion((index + 1) % size, size, tree[index] as Buffer, proof, root), false);
    }),
    { numRuns: 300 },
  );
});

test('property: every consistency proof of a random tree verifies; any single-bit change fails', () => {
  fc.assert(
    fc.property(arbTree, fc.nat(), fc.nat(), fc.nat(255), (tree, a, b, bit) => {
      const size2 = 1 + (a % tree.length);
      const size1 = 1 + (b % size2);
      const root1 = merkleRoot(tree.slice(0, size1));
      const root2 = merkleRoot(tree.slice(0, size2));
      const proof = consistencyProof(size1, tree, size2);
      assert.ok(verifyConsistency(size1, size2, proof, root1, root2));
      if (proof.length > 0) assert.equal(verifyConsistency(size1, size2, flipBit(proof, a % proof.length, bit), root1, root2), false);
      assert.equal(verifyConsistency(size1, size2, proof, flipBit([root1], 0, bit)[0] as Buffer, root2), false);
      assert.equal(verifyConsistency(size1, size2, proof, root1, flipBit([root2], 0, bit)[0] as Buffer), false);
    }),
    { numRuns: 300 },
  );
});

test('property: the frontier root equals the recursive root at every size, SHA-256 and SM3', () => {
  for (const algorithm of ['sha256', 'sm3'] as const) {
    const hasher = logHasher(algorithm);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const tree = Array.from({ length: n }, (_, i) => hasher.hashLeaf(Buffer.from(String(i))));
        const frontier = createFrontier(hasher);
        for (const leaf of tree) frontier.push(leaf);
        assert.equal(frontier.root().toString('hex'), merkleRoot(tree, hasher).toString('hex'));
      }),
      { numRuns: 40 },
    );
  }
});
