// The sealed-field format and its suites, as pure functions over buffers.
//
//   c1.<suite>.<version>.<base64url(payload)>
//     suite  a = AES-256-GCM          payload = iv(12) || ciphertext || tag(16)         (NIST SP 800-38D)
//            s = SM4-CTR + HMAC-SM3   payload = iv(16) || ciphertext || mac(16)         (GB/T 32907, GB/T 32905)
//            b = SM4-CBC + HMAC-SM3   payload = iv(16) || ciphertext(PKCS#7) || mac(16)
//     version  the data key version (decimal)
//
// Associated data (authenticated, not stored): format, suite, scope kind and id, record type,
// record id, field path and data key version, each length-prefixed, so a ciphertext moved to
// another field, record, subject or key version fails to open.
// SM4 suites are encrypt-then-MAC: mac = first 16 bytes of HMAC-SM3(macKey, len(ad) || ad || iv || ct).
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { kmsError } from './errors.js';
import type { FieldBinding, FieldSuite } from './types.js';

export const formatTag = 'c1';
export const suiteCode: Readonly<Record<FieldSuite, string>> = Object.freeze({ 'aes-256-gcm': 'a', 'sm4-ctr-hmac-sm3': 's', 'sm4-cbc-hmac-sm3': 'b' });
const suiteByCode: Readonly<Record<string, FieldSuite>> = Object.freeze({ a: 'aes-256-gcm', s: 'sm4-ctr-hmac-sm3', b: 'sm4-cbc-hmac-sm3' });
export const fieldSuites: readonly FieldSuite[] = Object.freeze(['aes-256-gcm', 'sm4-ctr-hmac-sm3', 'sm4-cbc-hmac-sm3']);

const ciphertextPattern = /^c1\.([asb])\.([1-9][0-9]{0,8})\.([A-Za-z0-9_-]+)$/;
export const maxFieldBytes = 1_048_576;
const maxCiphertextLength = Math.ceil(((maxFieldBytes + 64) * 4) / 3) + 32;
const macBytes = 16;

/** Working keys of one data key under one suite; zero them with `zeroSuiteKeys`. */
export interface SuiteKeys {
  readonly suite: FieldSuite;
  readonly encKey: Buffer;
  readonly macKey: Buffer | undefined;
}

/**
 * From a 32-byte data key: AES-256-GCM uses it as is; the SM4 suites derive a 16-byte SM4 key
 * and a 32-byte HMAC-SM3 key with HMAC-SM3 under distinct labels (key separation).
 */
export const deriveSuiteKeys = (suite: FieldSuite, dataKey: Buffer): SuiteKeys => {
  if (suite === 'aes-256-gcm') return { suite, encKey: Buffer.from(dataKey), macKey: undefined };
  const enc = createHmac('sm3', dataKey).update('custos/field/sm4-key/v1').digest();
  const encKey = Buffer.from(enc.subarray(0, 16));
  enc.fill(0);
  return { suite, encKey, macKey: createHmac('sm3', dataKey).update('custos/field/hmac-sm3-key/v1').digest() };
};

export const zeroSuiteKeys = (keys: SuiteKeys): void => {
  keys.encKey.fill(0);
  keys.macKey?.fill(0);
};

const scopeOf = (binding: FieldBinding): [string, string] =>
  binding.subjectId !== undefined ? ['s', binding.subjectId] : ['t', binding.tenantId!];

export const associatedData = (binding: FieldBinding, code: string, version: number): Buffer => {
  const [kind, id] = scopeOf(binding);
  const parts = [formatTag, code, kind, id, binding.recordType, binding.recordId, binding.fieldPath, String(version)];
  // One allocation, strings written in place: this runs for every field (see bench/kms.bench.ts).
  let size = 0;
  for (const p of parts) size += 4 + Buffer.byteLength(p, 'utf8');
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) {
    const length = out.write(p, at + 4, 'utf8');
    out.writeUInt32BE(length, at);
    at += 4 + length;
  }
  return out;
};

const sm4Mac = (macKey: Buffer, aad: Buffer, ivAndCt: Buffer): Buffer => {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(aad.length, 0);
  return createHmac('sm3', macKey).update(len).update(aad).update(ivAndCt).digest().subarray(0, macBytes);
};

/** Seals plaintext bytes; `iv` is 12 random bytes for AES-GCM, 16 for SM4. */
export const sealPayload = (keys: SuiteKeys, plaintext: Buffer, aad: Buffer, iv: Uint8Array): Buffer => {
  if (keys.suite === 'aes-256-gcm') {
    const cipher = createCipheriv('aes-256-gcm', keys.encKey, iv);
    cipher.setAAD(aad);
    const head = cipher.update(plaintext);
    const tail = cipher.final();
    return Buffer.concat([iv, head, tail, cipher.getAuthTag()]);
  }
  const cipher = createCipheriv(keys.suite === 'sm4-ctr-hmac-sm3' ? 'sm4-ctr' : 'sm4-cbc', keys.encKey, iv);
  const ivAndCt = Buffer.concat([iv, cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([ivAndCt, sm4Mac(keys.macKey!, aad, ivAndCt)]);
};

/** Opens a payload, or answers undefined when it does not authenticate (never partial plaintext). */
export const openPayload = (keys: SuiteKeys, payload: Buffer, aad: Buffer): Buffer | undefined => {
  if (keys.suite === 'aes-256-gcm') {
    if (payload.length < 28) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.encKey, payload.subarray(0, 12));
      decipher.setAAD(aad);
      decipher.setAuthTag(payload.subarray(payload.length - 16));
      const head = decipher.update(payload.subarray(12, payload.length - 16));
      return Buffer.concat([head, decipher.final()]);
    } catch {
      return undefined;
    }
  }
  if (payload.length < 16 + macBytes) return undefined;
  const ivAndCt = payload.subarray(0, payload.length - macBytes);
  // Verify before decrypting (encrypt-then-MAC); constant-time comparison.
  if (!timingSafeEqual(sm4Mac(keys.macKey!, aad, ivAndCt), payload.subarray(payload.length - macBytes))) return undefined;
  try {
    const decipher = createDecipheriv(keys.suite === 'sm4-ctr-hmac-sm3' ? 'sm4-ctr' : 'sm4-cbc', keys.encKey, payload.subarray(0, 16));
    return Buffer.concat([decipher.update(payload.subarray(16, payload.length - macBytes)), decipher.final()]);
  } catch {
    return undefined;
  }
};

export const ivBytes = (suite: FieldSuite): number => (suite === 'aes-256-gcm' ? 12 : 16);

export const formatCiphertext = (suite: FieldSuite, version: number, payload: Buffer): string =>
  `${formatTag}.${suiteCode[suite]}.${version}.${payload.toString('base64url')}`;

export interface ParsedCiphertext {
  readonly suite: FieldSuite;
  readonly code: string;
  readonly version: number;
  readonly payload: Buffer;
}

/** Parses the text form; throws `ERR_KMS_CIPHERTEXT_MALFORMED` naming the field path, never the text. */
export const parseCiphertext = (text: unknown, fieldPath: string): ParsedCiphertext => {
  const match = typeof text === 'string' && text.length <= maxCiphertextLength ? ciphertextPattern.exec(text) : null;
  if (match === null) {
    throw kmsError('ERR_KMS_CIPHERTEXT_MALFORMED', {
      path: fieldPath,
      message: `field "${fieldPath}" does not hold a Custos ciphertext (got ${describe(text)})`,
      hint: 'sealed fields look like c1.<suite>.<version>.<base64url>; was the column written by sealField?',
    });
  }
  return { code: match[1]!, suite: suiteByCode[match[1]!]!, version: Number(match[2]), payload: Buffer.from(match[3]!, 'base64url') };
};

const describe = (value: unknown): string =>
  typeof value === 'string' ? `a string of ${value.length} characters${value.startsWith('c1.') ? ' with a damaged body' : ''}` : typeof value;
