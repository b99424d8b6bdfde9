import { CustosError, type CustosErrorOptions } from '../lib/errors.js';

/**
 * The kms module's error codes. Messages name key ids, versions, field paths and the kind of a
 * bad value; never key material, plaintext or the value itself.
 */
export type KmsErrorCode =
  | 'ERR_KMS_ROOT_KEY_MISSING'
  | 'ERR_KMS_ROOT_KEY_INVALID'
  | 'ERR_KMS_ROOT_KEY_WRONG'
  | 'ERR_KMS_KEYSTORE_CORRUPT'
  | 'ERR_KMS_KEYSTORE_UNREADABLE'
  | 'ERR_KMS_KEY_NOT_FOUND'
  | 'ERR_KMS_KEY_EXISTS'
  | 'ERR_KMS_KEY_STATE'
  | 'ERR_KMS_KEY_DESTROYED'
  | 'ERR_KMS_INVALID_ARGUMENT'
  | 'ERR_KMS_CIPHERTEXT_MALFORMED'
  | 'ERR_KMS_DECRYPT_FAILED'
  | 'ERR_KMS_CONTEXT_MISMATCH'
  | 'ERR_KMS_UNSUPPORTED_SUITE'
  | 'ERR_KMS_ENVELOPE_FAILED'
  | 'ERR_KMS_CERT_INVALID'
  | 'ERR_KMS_FILE_EXISTS';

export class KmsError extends CustosError {
  declare readonly code: KmsErrorCode;

  constructor(code: KmsErrorCode, options: CustosErrorOptions) {
    super(code, options);
    this.name = 'KmsError';
  }
}

export const kmsError = (code: KmsErrorCode, options: CustosErrorOptions): KmsError => new KmsError(code, options);
