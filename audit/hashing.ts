import { hash } from 'node:crypto';
import type { HashAlgorithm } from './types.js';

/**
 * The hash functions of one log: RFC 9162 §2.1.1 leaf and interior-node hashes (domain
 * separated by a 0x00 / 0x01 prefix) and the chain hash (prefix 0x02, see README "Hash chain").
 * Every function returns a fresh 32-byte Buffer (SHA-256 and SM3 both have 32-byte outputs).
 */
export interface LogHasher {
  readonly algorithm: HashAlgorithm;
  readonly size: 32;
  /** H(data): the plain digest. */
  digest(data: Uint8Array): Buffer;
  /** RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)). */
  hashLeaf(data: Uint8Array): Buffer;
  /** hashLeaf of a string's UTF-8 bytes, without an intermediate copy. */
  hashLeafText(text: string): Buffer;
  /** RFC 9162 §2.1.1: HASH(0x01 || left || right). */
  hashChildren(left: Uint8Array, right: Uint8Array): Buffer;
  /** RFC 9162 §2.1.1: the hash of an empty tree is the hash of an empty string. */
  emptyRoot(): Buffer;
}

const leafPrefix = Buffer.from([0x00]);
const nodePrefix = Buffer.from([0x01]);

const hashers: Record<HashAlgorithm, LogHasher> = {
  sha256: makeHasher('sha256'),
  // GB/T 32905-2016 SM3, for systems under the commercial-cryptography assessment (GB/T 39786).
  sm3: makeHasher('sm3'),
};

function makeHasher(algorithm: HashAlgorithm): LogHasher {
  // crypto.hash (Node >= 20.12) is a one-shot digest, markedly faster than createHash for
  // the short inputs of a Merkle tree.
  const digest = (data: Uint8Array): Buffer => hash(algorithm, data, 'buffer');
  return Object.freeze({
    algorithm,
    size: 32 as const,
    digest,
    hashLeaf: (data: Uint8Array) => digest(Buffer.concat([leafPrefix, data])),
    // U+0000 encodes as the single byte 0x00 in UTF-8, the leaf prefix.
    hashLeafText: (text: string) => hash(algorithm, `\u0000${text}`, 'buffer'),
    hashChildren: (left: Uint8Array, right: Uint8Array) => digest(Buffer.concat([nodePrefix, left, right])),
    emptyRoot: () => digest(Buffer.alloc(0)),
  });
}

/**
 * The hasher for an algorithm name; SHA-256 is the default.
 *
 * @example
 * logHasher('sm3').hashLeaf(Buffer.from('event')).length; // 32
 */
export const logHasher = (algorithm: HashAlgorithm = 'sha256'): LogHasher => {
  const found = hashers[algorithm];
  if (found === undefined) throw new TypeError(`unknown audit hash algorithm; use sha256 or sm3`);
  return found;
};
