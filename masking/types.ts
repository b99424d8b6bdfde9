/**
 * Types of the masking module. Display masks are pure `(value) => string | null` functions;
 * de-identification operators may need keys, a token vault or a subject, passed in options.
 */

/** Personal-information types with a display mask (the scanner's PI types map onto these). */
export type PiType =
  | 'person_name'
  | 'cn_resident_id'
  | 'phone_mobile'
  | 'phone_landline'
  | 'bank_card'
  | 'email'
  | 'address'
  | 'birth_date'
  | 'ip_address'
  | 'medical_insurance_no'
  | 'medical_record_no'
  | 'gps'
  | 'device_id'
  | 'diagnosis'
  | 'prescription'
  | 'lab_result'
  | 'generic';

/** Display-mask profiles (COMPLIANCE.md §4); a policy picks one by role and context. */
export type MaskProfile = 'default' | 'strict' | 'patient_self_view' | 'queue_screen';

/** A display mask: never throws; `null`/`undefined` give `null`; anything else a string. */
export type DisplayMask = (value: unknown) => string | null;

/** How a Chinese name is shown. */
export type NameStyle =
  /** `张*`, `张*明`, `欧*明`: keep the first and the last character (default). */
  | 'first_last'
  /** `*明`, `**明`: hide the surname (compound ones whole), keep the last character. */
  | 'last_only'
  /** `张*`, `张**`, `欧阳**`: keep the whole surname, hide the given name. */
  | 'surname'
  /** `张*`, `张*丰`, `欧阳*华`: keep the whole surname and the last character. */
  | 'surname_last';

/**
 * Supplies key bytes for keyed operators (pseudonyms, FF1, date shifts). The kms module's
 * keystore can satisfy it; tests pass raw bytes. Return a fresh buffer: masking zeroes it
 * after use.
 */
export interface KeyProvider {
  /** Key bytes for a purpose (e.g. `pseudonym`, `fpe`, `date_shift`) and an optional key id. */
  keyFor(purpose: string, keyId?: string): Uint8Array;
}

/** Key material: raw bytes, or a provider asked per purpose. */
export type KeySource = Uint8Array | KeyProvider;

/** What a token is bound to (AEAD associated data): the field, and the record when known. */
export interface TokenContext {
  /** Path of the field in the document (the mask's path). */
  readonly fieldPath: string;
  readonly recordType?: string;
  readonly recordId?: string;
  readonly subjectId?: string;
}

/**
 * Reversible tokens: seals a string into an opaque token and opens it again. The kms module's
 * field cipher satisfies it through `tokenVaultFromFieldCipher` (asynchronous: use
 * `applyMasksAsync`); `createAesGcmVault` is a synchronous vault over one key.
 */
export interface TokenVault {
  seal(plaintext: string, context: TokenContext): string | Promise<string>;
  open(token: string, context: TokenContext): string | Promise<string>;
}

/** Pseudonym hash. HMAC-SM3 for systems under a commercial-cryptography assessment (GB/T 39786). */
export type PseudonymAlgorithm = 'hmac-sha256' | 'hmac-sm3';

/** One mask to apply: a path in the document and a rule name from the registry. */
export interface MaskSpec {
  readonly path: string;
  readonly rule: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A policy obligation as the pdp emits it (`pdp/types.ts` Obligation), as far as masking reads it. */
export interface MaskObligation {
  readonly type: string;
  readonly field?: string;
  readonly rule?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What `applyMasks` accepts: a decision's `context.masks` map, or a list of specs or obligations. */
export type MaskInput = Readonly<Record<string, string>> | readonly (MaskSpec | MaskObligation)[];

/** Everything keyed or contextual the operators may need. */
export interface MaskOptions {
  /** Display profile for display-mask rules (default `default`). */
  readonly profile?: MaskProfile;
  /** Key for `pseudonymize`, `fpe`, `date_shift` (raw bytes or a provider). */
  readonly key?: KeySource;
  /** Vault for `tokenize` / `detokenize`. */
  readonly vault?: TokenVault;
  /** Data subject for `date_shift`; FHIR Patient documents default to their `id`. */
  readonly subjectId?: string;
  /** Reference date for age bands (inject; defaults to no age-band support without it). */
  readonly now?: Date;
}

/** A problem met while applying masks; the field it concerns was suppressed, never shown raw. */
export interface MaskIssue {
  readonly code: string;
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  /** How many values this issue suppressed. */
  readonly count: number;
}

/** Result of `applyMasks`: a new document (the input is never mutated) and the issues met. */
export interface MaskResult<T = unknown> {
  readonly document: T;
  readonly issues: readonly MaskIssue[];
  /** How many values were transformed. */
  readonly applied: number;
}
