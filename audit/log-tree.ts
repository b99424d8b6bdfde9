import type { LogHasher } from './hashing.js';
import { rangeHashOf, splitPoint, type MerkleSource } from './merkle.js';

/** Leaves per tile: the store keeps the Merkle root of every complete run of 256 leaves. */
export const tileWidth = 256;

/**
 * A MerkleSource over a stored log: complete, aligned runs of 256 leaves come from the tile
 * hashes; other ranges recurse (RFC 9162 §2.1.1 split) down to leaf hashes read from rows.
 * MTH(D[lo:hi]) with lo, hi multiples of 256 equals MTH over those tiles, because every split
 * point of such a range is itself a multiple of 256.
 */
export const logTreeSource = (
  size: number,
  tiles: readonly Buffer[],
  leavesOfTile: (index: number) => readonly Buffer[],
  hasher: LogHasher,
): MerkleSource => {
  const range = (lo: number, hi: number): Buffer => {
    const n = hi - lo;
    if (n === 0) return hasher.emptyRoot();
    if (lo % tileWidth === 0 && n % tileWidth === 0 && hi / tileWidth <= tiles.length) {
      return rangeHashOf(tiles, lo / tileWidth, hi / tileWidth, hasher);
    }
    const first = Math.floor(lo / tileWidth);
    if (Math.floor((hi - 1) / tileWidth) === first) {
      const leaves = leavesOfTile(first);
      const base = first * tileWidth;
      return rangeHashOf(leaves, lo - base, hi - base, hasher);
    }
    const k = splitPoint(n);
    return hasher.hashChildren(range(lo, lo + k), range(lo + k, hi));
  };
  return Object.freeze({
    size,
    rangeHash: (lo: number, hi: number) => {
      if (lo < 0 || hi > size || lo > hi) throw new RangeError('range outside the tree');
      return range(lo, hi);
    },
  });
};
