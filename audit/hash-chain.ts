import { hash } from 'node:crypto';
import type { LogHasher } from './hashing.js';
import type { HashAlgorithm } from './types.js';
import { entryText } from './events.js';

/** The chain's starting "previous hash": 32 zero bytes. */
export const genesisHash: Buffer = Buffer.alloc(32);

const chainPrefix = Buffer.from([0x02]);

/**
 * Chain hash of a row: H(0x02 || prevHash || leafHash), where leafHash is the RFC 9162 leaf hash
 * of the row's entry text (canonical `{event, seq, ts}`). The 0x02 prefix keeps chain inputs
 * apart from Merkle leaf (0x00) and node (0x01) inputs.
 *
 * @example
 * const hash = chainHash(hasher, prev, hasher.hashLeaf(entry));
 */
export const chainHash = (hasher: LogHasher, prev: Uint8Array, leafHash: Uint8Array): Buffer =>
  hasher.digest(Buffer.concat([chainPrefix, prev, leafHash], 65));

/** Leaf hash of one stored row. */
export const rowLeafHash = (hasher: LogHasher, seq: number, ts: number, eventJson: string): Buffer =>
  hasher.hashLeafText(entryText(seq, ts, eventJson));

/**
 * The append path's hashing, with every hash as a latin1 string (one character per byte).
 * `crypto.hash` returning a Buffer costs about twice the digest itself here (a fresh
 * ArrayBuffer per call); a latin1 string costs next to nothing, and writing it into a kept
 * scratch buffer builds the next input without Buffer.concat. Same bytes as `chainHash`,
 * `rowLeafHash` and `hashChildren` (tested against them).
 */
export interface ChainWriter {
  /** RFC 9162 leaf hash of a row's entry text. */
  leaf(seq: number, ts: number, eventJson: string): string;
  /** H(0x02 || prev || leaf). */
  chain(prev: string, leaf: string): string;
  /** RFC 9162 §2.1.1 interior node H(0x01 || left || right). */
  node(left: string, right: string): string;
}

/**
 * A ChainWriter for one log (it owns a scratch buffer: one per writer, not shared).
 *
 * @example
 * const w = chainWriter('sha256'); const hash = w.chain(prevText, w.leaf(seq, ts, json));
 */
export const chainWriter = (algorithm: HashAlgorithm): ChainWriter => {
  const scratch = Buffer.alloc(65);
  // 'binary' is Node's name for latin1 as a digest encoding.
  const pair = (prefix: number, a: string, b: string): string => {
    scratch[0] = prefix;
    scratch.write(a, 1, 'latin1');
    scratch.write(b, 33, 'latin1');
    return hash(algorithm, scratch, 'binary');
  };
  return Object.freeze({
    // U+0000 encodes as the single byte 0x00 in UTF-8, the leaf prefix.
    leaf: (seq: number, ts: number, eventJson: string) => hash(algorithm, `\u0000${entryText(seq, ts, eventJson)}`, 'binary'),
    chain: (prev: string, leaf: string) => pair(0x02, prev, leaf),
    node: (left: string, right: string) => pair(0x01, left, right),
  });
};
