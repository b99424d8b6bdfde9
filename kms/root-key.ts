import { readFileSync } from 'node:fs';
import { scryptSync } from 'node:crypto';
import { kmsError } from './errors.js';

/**
 * Where the keystore's root key comes from: 32 raw bytes, or a passphrase stretched with scrypt
 * (RFC 7914) under a salt stored in the keystore. Never from the repository.
 */
export type RootKeySource = { readonly kind: 'raw'; readonly key: Uint8Array } | { readonly kind: 'passphrase'; readonly passphrase: string };

/** scrypt cost (RFC 7914 §2). Tests use a small `N`; production keeps the default. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const defaultScrypt: ScryptParams = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

const base64Key = /^[A-Za-z0-9+/]{43}=$/;
const minPassphraseLength = 12;

/**
 * Reads the root key: `CUSTOS_ROOT_KEY` first, then the key file (`kms.rootKeyFile`). A value of
 * 44 base64 characters that decodes to 32 bytes is a raw key; anything else is a passphrase.
 *
 * @example
 * const rootKey = rootKeyFromEnvironment({ env: process.env, file: config.kms.rootKeyFile });
 */
export const rootKeyFromEnvironment = (options: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly file?: string | undefined;
}): RootKeySource => {
  const fromEnv = options.env.CUSTOS_ROOT_KEY;
  if (fromEnv !== undefined && fromEnv.length > 0) return parseRootKey(fromEnv, 'CUSTOS_ROOT_KEY');
  if (options.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw kmsError('ERR_KMS_ROOT_KEY_MISSING', {
        message: `cannot read the root key file ${options.file} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        hint: 'check kms.rootKeyFile / CUSTOS_ROOT_KEY_FILE and that the file is readable by this user only',
        cause,
      });
    }
    return parseRootKey(text.trim(), options.file);
  }
  throw kmsError('ERR_KMS_ROOT_KEY_MISSING', {
    message: 'no root key: CUSTOS_ROOT_KEY is not set and no kms.rootKeyFile is configured',
    hint: 'set CUSTOS_ROOT_KEY to 32 random bytes in base64 (openssl rand -base64 32) or to a long passphrase, or point kms.rootKeyFile at a file holding one',
  });
};

/** Parses one root-key text (see `rootKeyFromEnvironment`); `where` names the source in errors. */
export const parseRootKey = (text: string, where: string): RootKeySource => {
  if (base64Key.test(text)) return Object.freeze({ kind: 'raw', key: Buffer.from(text, 'base64') });
  if (text.length < minPassphraseLength) {
    throw kmsError('ERR_KMS_ROOT_KEY_INVALID', {
      message: `the root key from ${where} is neither 32 bytes in base64 nor a passphrase of at least ${minPassphraseLength} characters`,
      hint: 'generate one with: openssl rand -base64 32',
    });
  }
  return Object.freeze({ kind: 'passphrase', passphrase: text });
};

/** Turns a root-key source into 32 key bytes; the caller zeroes the result. */
export const rootKeyBytes = (source: RootKeySource, salt: Uint8Array, params: ScryptParams): Buffer => {
  if (source.kind === 'raw') {
    if (source.key.length !== 32) {
      throw kmsError('ERR_KMS_ROOT_KEY_INVALID', { message: `a raw root key must be 32 bytes (got ${source.key.length})`, hint: 'openssl rand -base64 32' });
    }
    return Buffer.from(source.key);
  }
  return scryptSync(source.passphrase.normalize('NFC'), salt, 32, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1_048_576 });
};
