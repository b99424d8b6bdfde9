import { createHmac, hkdfSync } from 'node:crypto';
import { kmsError } from './errors.js';
import type { Keystore } from './keystore.js';
import type { KeyAlgorithm } from './types.js';

export type BlindIndexAlgorithm = 'hmac-sha256' | 'hmac-sm3';

export interface BlindIndexOptions {
  readonly key: Uint8Array;
  readonly algorithm?: BlindIndexAlgorithm;
  /** Bytes kept of the MAC (default 16; 8–32). Shorter leaks less, collides more. */
  readonly bytes?: number;
}

const checkBytes = (bytes: number): void => {
  if (!Number.isInteger(bytes) || bytes < 8 || bytes > 32) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'a blind index keeps 8 to 32 bytes', hint: 'the default, 16, suits identifiers' });
  }
};

/**
 * A blind index: truncated HMAC (RFC 2104) of the NFC-normalised value, base64url, for equality
 * search over encrypted identifiers. The key must not be the encryption key.
 *
 * @example
 * blindIndex('13800138000', { key, algorithm: 'hmac-sm3' }); // 'q3N…' (22 characters)
 */
export const blindIndex = (value: string, options: BlindIndexOptions): string => {
  const bytes = options.bytes ?? 16;
  checkBytes(bytes);
  if (typeof value !== 'string') throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: `blindIndex takes a string (got ${typeof value})`, hint: 'normalise identifiers to text first' });
  const algorithm = options.algorithm ?? 'hmac-sha256';
  return createHmac(algorithm === 'hmac-sm3' ? 'sm3' : 'sha256', options.key).update(value.normalize('NFC'), 'utf8').digest().subarray(0, bytes).toString('base64url');
};

/** A keyed hash bound to one keystore key; keeps a copy of the key until `close()`. */
export interface KeyedHash {
  readonly keyId: string;
  readonly version: number;
  readonly algorithm: BlindIndexAlgorithm;
  /** Truncated HMAC as base64url (a blind index or a pseudonym). */
  compute(value: string): string;
  /** The full HMAC bytes, for callers that build their own encodings (e.g. pseudonyms). */
  digest(value: string | Uint8Array): Buffer;
  close(): void;
}

/**
 * A blind index (purpose `blind-index`) or pseudonym function (purpose `pseudonym`) over a
 * keystore key's current version (or `version`). Rotating such a key changes every index:
 * rebuild the index column with the new version before switching queries to it.
 *
 * @example
 * keystore.createKey({ id: 'phone-index', algorithm: 'hmac-sm3', purpose: 'blind-index' });
 * const phoneIndex = createKeyedHash({ keystore, keyId: 'phone-index', purpose: 'blind-index' });
 * db.prepare('SELECT * FROM patient WHERE phone_bidx = ?').all(phoneIndex.compute('13800138000'));
 */
export const createKeyedHash = (options: {
  readonly keystore: Keystore;
  readonly keyId: string;
  readonly purpose: 'blind-index' | 'pseudonym';
  readonly bytes?: number;
  readonly version?: number;
}): KeyedHash => {
  const bytes = options.bytes ?? 16;
  checkBytes(bytes);
  const { key, version, algorithm } = options.keystore.withKeyMaterial(
    options.keyId,
    options.purpose,
    (material, info) => ({ key: Buffer.from(material), version: info.version, algorithm: info.algorithm }),
    options.version,
  );
  const hashAlgorithm = algorithmOf(algorithm);
  const digestName = hashAlgorithm === 'hmac-sm3' ? 'sm3' : 'sha256';
  let isClosed = false;
  const digest = (value: string | Uint8Array): Buffer => {
    if (isClosed) throw new TypeError('this keyed hash is closed');
    return createHmac(digestName, key).update(typeof value === 'string' ? value.normalize('NFC') : value).digest();
  };
  return Object.freeze({
    keyId: options.keyId,
    version,
    algorithm: hashAlgorithm,
    digest,
    compute: (value: string) => digest(value).subarray(0, bytes).toString('base64url'),
    close: () => {
      isClosed = true;
      key.fill(0);
    },
  });
};

const algorithmOf = (algorithm: KeyAlgorithm): BlindIndexAlgorithm => {
  if (algorithm === 'hmac-sha256' || algorithm === 'hmac-sm3') return algorithm;
  throw kmsError('ERR_KMS_KEY_STATE', { message: 'a keyed hash needs an hmac-sha256 or hmac-sm3 key', hint: 'create the key with --algorithm hmac-sm3' });
};

/**
 * Derives `bytes` key bytes for a named use from a `pseudonym` key with HKDF (RFC 5869), e.g.
 * the AES key of a format-preserving cipher. The caller zeroes the result after use.
 *
 * @example
 * const ff1Key = deriveKey({ keystore, keyId: 'masking-key', info: 'masking/ff1/v1', bytes: 32 });
 */
export const deriveKey = (options: { readonly keystore: Keystore; readonly keyId: string; readonly info: string; readonly bytes?: number; readonly version?: number }): Buffer => {
  const bytes = options.bytes ?? 32;
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64 || typeof options.info !== 'string' || options.info.length === 0) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'deriveKey needs a non-empty info label and 16 to 64 bytes', hint: "e.g. { info: 'masking/ff1/v1', bytes: 32 }" });
  }
  return options.keystore.withKeyMaterial(
    options.keyId,
    'pseudonym',
    (material) => Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), `custos/derive/${options.info}`, bytes)),
    options.version,
  );
};
