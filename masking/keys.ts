import { hkdfSync } from 'node:crypto';
import { MaskingError } from './errors.js';
import type { KeyProvider, KeySource } from './types.js';

/** Purposes a key is asked for; each gets its own key (no key serves two algorithms). */
export type KeyPurpose = 'pseudonym' | 'fpe' | 'date_shift' | 'token';

const MIN_KEY_BYTES = 16;

/**
 * Key bytes for one purpose. Raw bytes are expanded per purpose with HKDF-SHA256 (RFC 5869,
 * info `custos/masking/<purpose>`), so one master key never feeds two algorithms; a provider
 * is asked directly. The returned buffer is the caller's to zero.
 */
export const keyFor = (source: KeySource | undefined, purpose: KeyPurpose, keyId?: string, length = 32): Uint8Array => {
  if (source === undefined) {
    throw new MaskingError('ERR_MASKING_MISSING_KEY', {
      message: `the ${purpose} operator needs a key and none was given`,
      hint: 'pass options.key (key bytes or a KeyProvider backed by the kms module)',
    });
  }
  if (source instanceof Uint8Array) {
    if (source.length < MIN_KEY_BYTES) {
      throw new MaskingError('ERR_MASKING_INVALID_KEY', {
        message: `a masking key must have at least ${MIN_KEY_BYTES} bytes, got ${source.length}`,
        hint: 'use a 32-byte random key from the kms module',
      });
    }
    const info = keyId === undefined ? `custos/masking/${purpose}` : `custos/masking/${purpose}/${keyId}`;
    return new Uint8Array(hkdfSync('sha256', source, new Uint8Array(0), info, length));
  }
  if (typeof source === 'object' && source !== null && typeof source.keyFor === 'function') {
    const key = source.keyFor(purpose, keyId);
    if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) {
      throw new MaskingError('ERR_MASKING_INVALID_KEY', {
        message: `the key provider returned no usable ${purpose} key (need at least ${MIN_KEY_BYTES} bytes)`,
        hint: 'check the key id and purpose the provider serves',
      });
    }
    return key;
  }
  throw new TypeError('options.key must be a Uint8Array or an object with keyFor(purpose, keyId)');
};

/** The shape of the kms module's `deriveKey` bound to a keystore (HKDF from a `pseudonym` key). */
export type DeriveKeyFunction = (options: { readonly keyId: string; readonly info: string; readonly bytes?: number }) => Uint8Array;

/**
 * A `KeyProvider` over the kms keystore: each masking purpose gets its own key, derived from a
 * kms `pseudonym` key (hmac-sha256 or hmac-sm3) with HKDF, label `masking/<purpose>/v1`.
 * Rotating the kms key and passing its version id changes every pseudonym (a new domain).
 *
 * @example
 * const key = keyProviderFromKms((o) => kms.deriveKey({ keystore, ...o }), 'masking-key');
 * applyMasks(record, { id: 'pseudonymize' }, { key });
 */
export const keyProviderFromKms = (derive: DeriveKeyFunction, defaultKeyId: string): KeyProvider =>
  Object.freeze({
    keyFor: (purpose: string, keyId?: string) => derive({ keyId: keyId ?? defaultKeyId, info: `masking/${purpose}/v1`, bytes: 32 }),
  });
