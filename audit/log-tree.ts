import type { LogHasher } from './hashing.js';
import { rangeHashOf, splitPoint, type MerkleSource } from './merkle.js';

/** Leaves per tile: the store keeps the Merkle root of every complete run of 256 leaves. */
export const tileWidth = 256;

/**
 * Perfect subtrees above the tiles: levels[0] are the tile roots, levels[k][i] the root of tiles
 * i·2^k .. (i+1)·2^k − 1. Append-only like the log, so a writer extends it as tiles complete.
 */
export type TileLevels = Buffer[][];

/** Extends `levels` in place with the tiles it does not hold yet (amortised one hash per tile). */
export const extendLevels = (levels: TileLevels, tiles: readonly Buffer[], hasher: LogHasher): TileLevels => {
  if (levels.length === 0) levels.push([]);
  const base = levels[0] as Buffer[];
  for (let i = base.length; i < tiles.length; i++) base.push(tiles[i] as Buffer);
  for (let k = 1; (levels[k - 1] as Buffer[]).length >= 2; k++) {
    const below = levels[k - 1] as Buffer[];
    if (levels.length <= k) levels.push([]);
    const level = levels[k] as Buffer[];
    while (level.length < Math.floor(below.length / 2)) {
      const i = level.length;
      level.push(hasher.hashChildren(below[2 * i] as Buffer, below[2 * i + 1] as Buffer));
    }
  }
  return levels;
};

const isPowerOfTwo = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));

/**
 * A MerkleSource over a stored log: complete, aligned runs of 256 leaves come from the tile
 * levels; other ranges recurse (RFC 9162 §2.1.1 split) down to leaf hashes read from rows.
 * MTH(D[lo:hi]) with lo, hi multiples of 256 equals MTH over those tiles, because every split
 * point of such a range is itself a multiple of 256; an aligned power-of-two run of tiles is
 * one stored level node. A proof at a million entries thus costs O(log n) lookups and one
 * tile of leaf hashes.
 */
export const logTreeSource = (
  size: number,
  levels: TileLevels,
  leavesOfTile: (index: number) => readonly Buffer[],
  hasher: LogHasher,
  memo?: Map<string, Buffer>,
): MerkleSource => {
  const tiles = levels[0] ?? [];
  const tileRange = (a: number, b: number): Buffer => {
    const n = b - a;
    if (isPowerOfTwo(n) && a % n === 0) {
      const node = levels[Math.log2(n)]?.[a / n];
      if (node !== undefined) return node;
    }
    if (n === 1) return tiles[a] as Buffer;
    const k = splitPoint(n);
    return hasher.hashChildren(tileRange(a, a + k), tileRange(a + k, b));
  };
  const range = (lo: number, hi: number): Buffer => {
    const n = hi - lo;
    if (n === 0) return hasher.emptyRoot();
    if (lo % tileWidth === 0 && n % tileWidth === 0 && hi / tileWidth <= tiles.length) return tileRange(lo / tileWidth, hi / tileWidth);
    const first = Math.floor(lo / tileWidth);
    if (Math.floor((hi - 1) / tileWidth) === first) {
      const leaves = leavesOfTile(first);
      const base = first * tileWidth;
      return rangeHashOf(leaves, lo - base, hi - base, hasher);
    }
    // MTH(D[lo:hi]) depends only on those leaves, which never change: memoise across proofs.
    const key = `${lo}:${hi}`;
    const known = memo?.get(key);
    if (known !== undefined) return known;
    const k = splitPoint(n);
    const value = hasher.hashChildren(range(lo, lo + k), range(lo + k, hi));
    if (memo !== undefined) {
      if (memo.size >= 50_000) memo.clear();
      memo.set(key, value);
    }
    return value;
  };
  return Object.freeze({
    size,
    rangeHash: (lo: number, hi: number) => {
      if (lo < 0 || hi > size || lo > hi) throw new RangeError('range outside the tree');
      return range(lo, hi);
    },
  });
};

/**
 * The writer's incomplete tile: its leaf hashes and the roots of its complete power-of-two
 * runs (at most 8), all latin1 strings. Each leaf costs amortised one node hash; the 256th
 * returns the tile's root, MTH of its leaves (for 2^8 leaves RFC 9162's split is the balanced
 * tree these runs build), and the accumulator starts the next tile.
 */
export interface TileAccumulator {
  /** Leaf hashes of the incomplete tile so far (latin1). */
  readonly leaves: readonly string[];
  /** Adds a leaf; returns the tile root (latin1) when it completes the tile. */
  push(leaf: string): string | undefined;
  /** An independent copy (a batch works on a copy until its transaction succeeded). */
  copy(): TileAccumulator;
}

/**
 * An accumulator holding `leaves` (fewer than 256), hashing nodes with `node`.
 *
 * @example
 * const acc = tileAccumulator(chainWriter('sha256').node); const root = acc.push(leaf);
 */
export const tileAccumulator = (node: (left: string, right: string) => string, leaves: readonly string[] = []): TileAccumulator => {
  const acc = accumulatorOf(node, [], []);
  for (const leaf of leaves) acc.push(leaf);
  return acc;
};

// runs[k]: root of the pending complete run of 2^k leaves, when bit k of held.length is set.
const accumulatorOf = (node: (left: string, right: string) => string, held: string[], runs: string[]): TileAccumulator => {
  const push = (leaf: string): string | undefined => {
    held.push(leaf);
    let value = leaf;
    let k = 0;
    for (let count = held.length; (count & 1) === 0; count >>= 1) {
      value = node(runs[k] as string, value);
      k += 1;
    }
    runs[k] = value;
    if (held.length < tileWidth) return undefined;
    held.length = 0;
    runs.length = 0;
    return value;
  };
  // A copy shares no array with the original and hashes nothing (the sidecar's small batches
  // copy the accumulator once per commit).
  return Object.freeze({ leaves: held, push, copy: () => accumulatorOf(node, [...held], [...runs]) });
};
