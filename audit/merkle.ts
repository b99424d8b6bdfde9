import { timingSafeEqual } from 'node:crypto';
import { logHasher, type LogHasher } from './hashing.js';

/**
 * RFC 9162 §2.1 Merkle tree over leaf hashes: root (MTH), inclusion proofs (PATH) and
 * consistency proofs (PROOF / SUBPROOF), with the verifiers of §2.1.3.2 and §2.1.4.2.
 * Pure functions: the tree is given as a `MerkleSource` that can hash any range of leaves,
 * or as an array of leaf hashes.
 */

/** A tree of `size` leaves that can produce MTH(D[lo:hi]) for the ranges the proofs need. */
export interface MerkleSource {
  readonly size: number;
  rangeHash(lo: number, hi: number): Buffer;
}

/** Largest power of two strictly smaller than n (n >= 2), RFC 9162 §2.1.1 "k". */
export const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

const isPowerOfTwo = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));

/** MTH over leaf hashes lo..hi-1 (RFC 9162 §2.1.1), computed bottom-up in O(n). */
export const rangeHashOf = (leaves: readonly Uint8Array[], lo: number, hi: number, hasher: LogHasher): Buffer => {
  if (hi - lo === 0) return hasher.emptyRoot();
  if (hi - lo === 1) return Buffer.from(leaves[lo] as Uint8Array);
  return subtree(leaves, lo, hi, hasher) as Buffer;
};

// Inner recursion without copying leaves: they are only read, as hash inputs.
const subtree = (leaves: readonly Uint8Array[], lo: number, hi: number, hasher: LogHasher): Buffer | Uint8Array => {
  if (hi - lo === 1) return leaves[lo] as Uint8Array;
  const k = splitPoint(hi - lo);
  return hasher.hashChildren(subtree(leaves, lo, lo + k, hasher), subtree(leaves, lo + k, hi, hasher));
};

/** A `MerkleSource` over an in-memory array of leaf hashes. */
export const arraySource = (leaves: readonly Uint8Array[], hasher: LogHasher = logHasher()): MerkleSource =>
  Object.freeze({ size: leaves.length, rangeHash: (lo: number, hi: number) => rangeHashOf(leaves, lo, hi, hasher) });

/**
 * The root hash of the tree whose leaf hashes are `leaves` (RFC 9162 §2.1.1).
 *
 * @example
 * merkleRoot([hashLeaf(Buffer.from('a'))]).toString('hex');
 */
export const merkleRoot = (leaves: readonly Uint8Array[], hasher: LogHasher = logHasher()): Buffer =>
  rangeHashOf(leaves, 0, leaves.length, hasher);

/** RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]), iteratively from the root down, then reversed. */
export const inclusionPathFrom = (source: MerkleSource, index: number, size: number): Buffer[] => {
  checkIndexRange(index, size, source.size);
  const path: Buffer[] = [];
  let lo = 0;
  let hi = size;
  let m = index;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      path.push(source.rangeHash(lo + k, hi));
      hi = lo + k;
    } else {
      path.push(source.rangeHash(lo, lo + k));
      lo += k;
      m -= k;
    }
  }
  return path.reverse();
};

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export const consistencyPathFrom = (source: MerkleSource, size1: number, size2: number): Buffer[] => {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2 || size2 > source.size) {
    throw new RangeError('consistency proof needs 0 < size1 <= size2 <= tree size');
  }
  const proof: Buffer[] = [];
  let lo = 0;
  let hi = size2;
  let m = size1;
  let complete = true;
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      proof.push(source.rangeHash(lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(source.rangeHash(lo, lo + k));
      lo += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) proof.push(source.rangeHash(lo, hi));
  return proof.reverse();
};

/**
 * The inclusion proof of leaf `index` in the tree of the first `size` leaves.
 *
 * @example
 * const proof = inclusionProof(2, leaves); // audit path, leaf-to-root order
 */
export const inclusionProof = (
  index: number,
  leaves: readonly Uint8Array[],
  size: number = leaves.length,
  hasher: LogHasher = logHasher(),
): Buffer[] => inclusionPathFrom(arraySource(leaves, hasher), index, size);

/**
 * The consistency proof between the trees of the first `size1` and `size2` leaves.
 *
 * @example
 * const proof = consistencyProof(3, leaves, 7);
 */
export const consistencyProof = (
  size1: number,
  leaves: readonly Uint8Array[],
  size2: number = leaves.length,
  hasher: LogHasher = logHasher(),
): Buffer[] => consistencyPathFrom(arraySource(leaves, hasher), size1, size2);

const checkIndexRange = (index: number, size: number, available: number): void => {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size || size > available) {
    throw new RangeError('inclusion proof needs 0 <= index < size <= tree size');
  }
};

const isHash = (value: unknown, hasher: LogHasher): value is Uint8Array =>
  value instanceof Uint8Array && value.length === hasher.size;

const sameHash = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root implied by an inclusion proof (RFC 9162 §2.1.3.2), or undefined when the proof
 * cannot belong to a tree of that size (wrong length, index out of range, bad element size).
 */
export const rootFromInclusionProof = (
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  hasher: LogHasher = logHasher(),
): Buffer | undefined => {
  // Indices are safe integers; anything else (2^64-1 parsed from JSON, negatives) is refused.
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  if (!isHash(leafHash, hasher) || !Array.isArray(proof) || !proof.every((p) => isHash(p, hasher))) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return undefined; // proof longer than the path
    if (isOdd(fn) || fn === sn) {
      r = hasher.hashChildren(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) return undefined; // proof shorter than the path
  return r;
};

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`
 * (RFC 9162 §2.1.3.2). Returns false for every malformed input rather than throwing.
 *
 * @example
 * verifyInclusion(2, 8, leafHash, proof, root); // true or false
 */
export const verifyInclusion = (
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  hasher: LogHasher = logHasher(),
): boolean => {
  if (!isHash(root, hasher)) return false;
  const computed = rootFromInclusionProof(index, size, leafHash, proof, hasher);
  return computed !== undefined && sameHash(computed, root);
};

/**
 * Verifies that the tree of `size1` leaves with root `root1` is a prefix of the tree of
 * `size2` leaves with root `root2` (RFC 9162 §2.1.4.2). Library policy, stricter than a literal
 * reading: size1 = 0 is refused; size1 = size2 needs an empty proof and equal roots.
 *
 * @example
 * verifyConsistency(3, 7, proof, oldRoot, newRoot); // true or false
 */
export const verifyConsistency = (
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  hasher: LogHasher = logHasher(),
): boolean => {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2) return false;
  if (!Array.isArray(proof) || !(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  // Equal sizes: nothing to prove but equality (the published probes compare roots of any length).
  if (size1 === size2) return proof.length === 0 && sameHash(root1, root2);
  if (!isHash(root1, hasher) || !isHash(root2, hasher) || !proof.every((p) => isHash(p, hasher))) return false;
  if (proof.length === 0) return false;
  // RFC 9162 §2.1.4.2 step 2: if size1 is an exact power of two, prepend first_hash.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = Buffer.from(path[0] as Uint8Array);
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, root1) && sameHash(sr, root2);
};

/**
 * The right edge of a tree being built leaf by leaf (the "compact range" of the perfect
 * subtrees covering leaves 0..size-1): `push` is amortised O(1) hashes and `root` O(log n).
 * The writer and the verifier both use it; it is a small mutable accumulator by design.
 *
 * @example
 * const f = createFrontier(); f.push(leafHash); f.root();
 */
export interface MerkleFrontier {
  readonly size: number;
  push(leafHash: Buffer): void;
  root(): Buffer;
  /** Perfect subtree hashes, largest (leftmost) first; a copy. */
  hashes(): Buffer[];
}

export const createFrontier = (hasher: LogHasher = logHasher(), start: { size: number; hashes: readonly Buffer[] } = { size: 0, hashes: [] }): MerkleFrontier => {
  const stack: Buffer[] = [...start.hashes];
  let size = start.size;
  return {
    get size() {
      return size;
    },
    push(leafHash: Buffer): void {
      let carry = leafHash;
      let n = size;
      while (isOdd(n)) {
        carry = hasher.hashChildren(stack.pop() as Buffer, carry);
        n = half(n);
      }
      stack.push(carry);
      size += 1;
    },
    root(): Buffer {
      if (size === 0) return hasher.emptyRoot();
      let root = stack[stack.length - 1] as Buffer;
      for (let i = stack.length - 2; i >= 0; i--) root = hasher.hashChildren(stack[i] as Buffer, root);
      return root;
    },
    hashes: () => [...stack],
  };
};
