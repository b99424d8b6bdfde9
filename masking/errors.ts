import { CustosError, type CustosErrorOptions } from '../lib/errors.js';

/** Every code the masking module throws or reports (catalogue in masking/README.md). */
export type MaskingErrorCode =
  | 'ERR_MASKING_UNKNOWN_RULE'
  | 'ERR_MASKING_UNKNOWN_PROFILE'
  | 'ERR_MASKING_INVALID_PATH'
  | 'ERR_MASKING_INVALID_PARAMS'
  | 'ERR_MASKING_INVALID_KEY'
  | 'ERR_MASKING_FPE_DOMAIN'
  | 'ERR_MASKING_FPE_ALPHABET'
  | 'ERR_MASKING_MISSING_KEY'
  | 'ERR_MASKING_MISSING_SUBJECT'
  | 'ERR_MASKING_OPERATOR_FAILED'
  | 'ERR_MASKING_INVALID_DATASET'
  | 'ERR_MASKING_INVALID_DOCUMENT'
  | 'ERR_MASKING_ASYNC_OPERATOR';

/** A masking error: a stable code, a message that never echoes the value, and a hint. */
export class MaskingError extends CustosError {
  declare readonly code: MaskingErrorCode;
  constructor(code: MaskingErrorCode, options: CustosErrorOptions) {
    super(code, options);
    this.name = 'MaskingError';
  }
}
