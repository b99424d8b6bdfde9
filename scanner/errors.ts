import { CustosError, type CustosErrorOptions } from '../lib/errors.js';

/** Every code the scanner throws (documented in scanner/README.md). */
export type ScannerErrorCode =
  | 'ERR_SCANNER_UNREADABLE_INPUT'
  | 'ERR_SCANNER_UNSUPPORTED_INPUT'
  | 'ERR_SCANNER_INVALID_RULES'
  | 'ERR_SCANNER_INVALID_OPTION'
  | 'ERR_SCANNER_INPUT_TOO_LARGE'
  | 'ERR_SCANNER_ADAPTER_MISSING'
  | 'ERR_SCANNER_INVENTORY';

export class ScannerError extends CustosError {
  declare readonly code: ScannerErrorCode;
  constructor(code: ScannerErrorCode, options: CustosErrorOptions) {
    super(code, options);
    this.name = 'ScannerError';
  }
}
