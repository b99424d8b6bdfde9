import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MaskingError } from './errors.js';
import { keyFor } from './keys.js';
import type { KeySource, TokenContext, TokenVault } from './types.js';

const PREFIX = 'tok1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The associated data a token is bound to: `fieldPath` and the record when given. */
const aad = (context: TokenContext): Buffer =>
  Buffer.from(JSON.stringify([context.fieldPath, context.recordType ?? '', context.recordId ?? '', context.subjectId ?? '']));

/**
 * A synchronous token vault over one key: AES-256-GCM, random 96-bit IV (NIST SP 800-38D
 * §8.2.2), the field path and record bound as associated data. Tokens look like
 * `tok1.<base64url>`. For per-subject keys and rotation use the kms field cipher instead.
 *
 * @example
 * const vault = createAesGcmVault(key);
 * vault.open(vault.seal('13812345678', { fieldPath: 'phone' }), { fieldPath: 'phone' }) // '13812345678'
 */
export const createAesGcmVault = (source: KeySource, deps: { randomBytes?: (n: number) => Uint8Array } = {}): TokenVault => {
  const key = keyFor(source, 'token');
  const random = deps.randomBytes ?? randomBytes;
  return Object.freeze({
    seal: (plaintext: string, context: TokenContext): string => {
      const iv = random(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open: (token: string, context: TokenContext): string => {
      const raw = typeof token === 'string' && token.startsWith(PREFIX) ? Buffer.from(token.slice(PREFIX.length), 'base64url') : undefined;
      if (raw === undefined || raw.length < IV_BYTES + TAG_BYTES) throw badToken(context);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(aad(context));
        decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw badToken(context, cause);
      }
    },
  });
};

const badToken = (context: TokenContext, cause?: unknown): MaskingError =>
  new MaskingError('ERR_MASKING_OPERATOR_FAILED', {
    message: 'token could not be opened: malformed, altered, or sealed for another field or key',
    path: context.fieldPath,
    hint: 'open a token with the vault, field path and record it was sealed for',
    cause,
  });

/** The shape of the kms module's field cipher that tokens need (`kms` `FieldCipher`). */
export interface FieldCipherLike {
  sealField(value: string, binding: FieldBindingLike): Promise<string>;
  openField(ciphertext: string, binding: FieldBindingLike): Promise<string>;
}

/** The kms field binding: record type, record id, field path, and a subject or tenant. */
export interface FieldBindingLike {
  readonly recordType: string;
  readonly recordId: string;
  readonly fieldPath: string;
  readonly subjectId?: string;
  readonly tenantId?: string;
}

/**
 * Adapts the kms field cipher (per-subject or per-tenant data keys, AEAD bound to record and
 * field) to a `TokenVault`. Tokens are then crypto-shredded with the subject's key. The
 * defaults fill what a token context lacks (e.g. a research export's tenant id).
 *
 * @example
 * const vault = tokenVaultFromFieldCipher(fieldCipher, { tenantId: 'research-2026', recordType: 'export' });
 * await applyMasksAsync(doc, [{ path: 'phone', rule: 'tokenize' }], { vault });
 */
export const tokenVaultFromFieldCipher = (
  cipher: FieldCipherLike,
  defaults: { readonly recordType?: string; readonly recordId?: string; readonly tenantId?: string } = {},
): TokenVault => {
  const binding = (context: TokenContext): FieldBindingLike => {
    const subjectId = context.subjectId;
    const common = {
      recordType: context.recordType ?? defaults.recordType ?? 'record',
      recordId: context.recordId ?? defaults.recordId ?? '-',
      fieldPath: context.fieldPath,
    };
    if (subjectId !== undefined) return { ...common, subjectId };
    if (defaults.tenantId !== undefined) return { ...common, tenantId: defaults.tenantId };
    throw new MaskingError('ERR_MASKING_MISSING_SUBJECT', {
      message: 'a kms-backed token needs a subject id or a default tenant id',
      path: context.fieldPath,
      hint: 'pass options.subjectId, or give tokenVaultFromFieldCipher a tenantId default',
    });
  };
  return Object.freeze({
    seal: (plaintext: string, context: TokenContext) => cipher.sealField(plaintext, binding(context)),
    open: (token: string, context: TokenContext) => cipher.openField(token, binding(context)),
  });
};
