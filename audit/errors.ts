import { CustosError, type CustosErrorOptions } from '../lib/errors.js';

/** Every error code the audit module throws (documented in audit/README.md). */
export type AuditErrorCode =
  | 'ERR_AUDIT_INVALID_EVENT'
  | 'ERR_AUDIT_PERSONAL_DATA'
  | 'ERR_AUDIT_CLOSED'
  | 'ERR_AUDIT_STORE'
  | 'ERR_AUDIT_BUSY'
  | 'ERR_AUDIT_KEY'
  | 'ERR_AUDIT_CHECKPOINT'
  | 'ERR_AUDIT_BUNDLE'
  | 'ERR_AUDIT_QUERY'
  | 'ERR_AUDIT_SEAL'
  | 'ERR_AUDIT_NOT_FOUND';

/** A coded audit-module error; never carries event values, only paths, kinds and seqs. */
export const auditError = (code: AuditErrorCode, options: CustosErrorOptions): CustosError => new CustosError(code, options);
