import { createHmac } from 'node:crypto';
import { MaskingError } from './errors.js';
import { keyFor } from './keys.js';
import { normalizeWidth } from './text.js';
import type { KeySource, PseudonymAlgorithm } from './types.js';

export interface PseudonymOptions {
  readonly key: KeySource;
  /** `hmac-sha256` (default) or `hmac-sm3` (GM/T 0004, for commercial-cryptography systems). */
  readonly algorithm?: PseudonymAlgorithm;
  /** Separates pseudonym spaces (e.g. per research project): same value, other domain, other pseudonym. */
  readonly domain?: string;
  /** Hex characters kept (16 to 64; default 32 = 128 bits). */
  readonly length?: number;
  readonly keyId?: string;
}

const HASH: Readonly<Record<PseudonymAlgorithm, string>> = Object.freeze({ 'hmac-sha256': 'sha256', 'hmac-sm3': 'sm3' });

/** Validated, key-derived form, so a compiled mask derives its key once. */
export interface PseudonymizerSpec {
  readonly hash: string;
  readonly key: Uint8Array;
  readonly domain: string;
  readonly length: number;
}

export const pseudonymizerSpec = (options: PseudonymOptions): PseudonymizerSpec => {
  const algorithm = options.algorithm ?? 'hmac-sha256';
  const length = options.length ?? 32;
  if (!Object.hasOwn(HASH, algorithm) || !Number.isInteger(length) || length < 16 || length > 64) {
    throw new MaskingError('ERR_MASKING_INVALID_PARAMS', {
      message: 'pseudonym options need algorithm hmac-sha256 or hmac-sm3 and a length of 16 to 64 hex characters',
      hint: "e.g. { algorithm: 'hmac-sm3', length: 32 }",
    });
  }
  return Object.freeze({
    hash: HASH[algorithm],
    key: keyFor(options.key, 'pseudonym', options.keyId),
    domain: options.domain ?? '',
    length,
  });
};

/** HMAC(key, domain ‖ 0x00 ‖ value) in hex, truncated. Width is normalised and ends trimmed. */
export const pseudonymWith = (spec: PseudonymizerSpec, value: string): string =>
  createHmac(spec.hash, spec.key)
    .update(spec.domain)
    .update('\0')
    .update(normalizeWidth(value).trim())
    .digest('hex')
    .slice(0, spec.length);

/**
 * Keyed pseudonym (GB/T 37964 pseudonymisation): stable for one key and domain, unlinkable
 * without the key. Null stays null; non-text values are pseudonymised as their JSON text.
 *
 * @example pseudonymize('11010219910101007X', { key }) // '3f1c…' (32 hex characters)
 */
export const pseudonymize = (value: unknown, options: PseudonymOptions): string | null => {
  if (value === null || value === undefined) return null;
  const spec = pseudonymizerSpec(options);
  try {
    return pseudonymWith(spec, typeof value === 'string' ? value : JSON.stringify(value));
  } finally {
    spec.key.fill(0);
  }
};
