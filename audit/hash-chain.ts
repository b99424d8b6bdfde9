import type { LogHasher } from './hashing.js';
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
