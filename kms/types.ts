/** Life-cycle state of a key (GB/T 39786 Appendix B: generation, use, archiving, destruction). */
export type KeyState = 'enabled' | 'disabled' | 'pending-destruction' | 'destroyed';

/**
 * Algorithms of stored keys: `aes-256` wraps data keys (raw AES keyring), `rsa-3072` wraps them
 * with RSA-OAEP-SHA256 (raw RSA keyring, PEM), `hmac-sha256` / `hmac-sm3` key blind indexes and
 * pseudonyms.
 */
export type KeyAlgorithm = 'aes-256' | 'rsa-3072' | 'hmac-sha256' | 'hmac-sm3';

/** What a key may be used for; a key serves one purpose only. */
export type KeyPurpose = 'wrap' | 'blind-index' | 'pseudonym';

/**
 * Field encryption suites. `aes-256-gcm`: AEAD. `sm4-ctr-hmac-sm3` / `sm4-cbc-hmac-sm3`:
 * SM4 (GB/T 32907) then HMAC-SM3 (GB/T 32905) over the associated data, IV and ciphertext
 * (encrypt-then-MAC), for GB/T 39786 assessments.
 */
export type FieldSuite = 'aes-256-gcm' | 'sm4-ctr-hmac-sm3' | 'sm4-cbc-hmac-sm3';

/** A key-encryption or keyed-hash key as the keystore describes it (never its material). */
export interface KeyInfo {
  readonly id: string;
  readonly algorithm: KeyAlgorithm;
  readonly purpose: KeyPurpose;
  readonly state: KeyState;
  /** The version new encryptions use; older versions keep decrypting. */
  readonly version: number;
  readonly createdAt: string;
  readonly rotatedAt: string | undefined;
  readonly destroyedAt: string | undefined;
  /** When a key in `pending-destruction` may be destroyed. */
  readonly destroyAfter: string | undefined;
}

/** Whose data a data key protects: one data subject (crypto-shredding unit) or one tenant. */
export type DataKeyScope = { readonly subjectId: string; readonly tenantId?: undefined } | { readonly tenantId: string; readonly subjectId?: undefined };

/** Where a sealed field belongs. A ciphertext opens only under the same binding. */
export type FieldBinding = DataKeyScope & {
  readonly recordType: string;
  readonly recordId: string;
  /** Dotted or JSON-pointer path of the field inside the record, e.g. `name.0.family`. */
  readonly fieldPath: string;
};

/**
 * Key operations reported to the optional `onEvent` hook (the seam to the audit log).
 * Carries ids and counts only; never key material or field values.
 */
export interface KmsEvent {
  readonly type:
    | 'key.created'
    | 'key.rotated'
    | 'key.disabled'
    | 'key.enabled'
    | 'key.destruction-scheduled'
    | 'key.destruction-cancelled'
    | 'key.destroyed'
    | 'data-key.created'
    | 'data-key.rotated'
    | 'data-key.rewrapped'
    | 'data-key.shredded';
  readonly at: string;
  readonly keyId?: string;
  readonly version?: number;
  readonly scope?: 'subject' | 'tenant';
  readonly scopeId?: string;
  readonly count?: number;
}

export type KmsEventHook = (event: KmsEvent) => void;
