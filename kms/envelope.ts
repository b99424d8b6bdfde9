import { kmsError } from './errors.js';
import type { Keystore } from './keystore.js';
import { createEsdkEnvelope, type KeyringSpec, type MaterialsCacheLimits, type EsdkEnvelope } from './aws-crypto/esdk-envelope.js';

/** Encrypts and decrypts blobs under keystore keys; every message carries an encryption context. */
export interface Envelope {
  /** Encrypts `plaintext`; `context` (non-empty, ids only) is authenticated and must match on decrypt. */
  encrypt(plaintext: Uint8Array | string, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
  /** Decrypts and checks that the message's encryption context equals `context`. */
  decrypt(ciphertext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Buffer>;
}

export interface EnvelopeOptions {
  readonly keystore: Keystore;
  /** Wrapping keys (purpose `wrap`, `aes-256` or `rsa-3072`); the first generates data keys. */
  readonly keyIds: readonly string[];
  /** An AWS KMS keyring added to the multi-keyring when configured (not exercised in tests). */
  readonly awsKms?: { readonly generatorKeyId: string; readonly keyIds?: readonly string[] };
  /** Caching materials manager limits; `false` turns caching off. */
  readonly cache?: Partial<MaterialsCacheLimits> | false;
  /** Refuse messages with more encrypted data keys than this (default: one per keyring + 1). */
  readonly maxEncryptedDataKeys?: number;
}

const defaultCache: MaterialsCacheLimits = Object.freeze({ capacity: 100, maxAgeMs: 60_000, maxMessagesEncrypted: 1000, maxBytesEncrypted: 100 * 1_048_576 });
const maxContextEntries = 16;
const maxPlaintextBytes = 64 * 1_048_576;

const checkContext = (context: Readonly<Record<string, string>>): void => {
  const entries = context !== null && typeof context === 'object' && !Array.isArray(context) ? Object.entries(context) : [];
  if (entries.length === 0 || entries.length > maxContextEntries) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      message: `an encryption context of 1 to ${maxContextEntries} entries is required`,
      hint: "pass ids that say what the blob is, e.g. { purpose: 'lab-report', tenant: 't-1' }",
    });
  }
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || name.startsWith('aws-crypto-') || name === '__proto__' || name === 'constructor') {
      throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
        message: 'encryption context names must not start with aws-crypto- and values must be strings',
        hint: 'use plain ids as values; never personal data',
      });
    }
  }
};

// The SDK authenticates the context but does not compare it with what the caller expects: we do.
const sameContext = (expected: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): boolean => {
  const ours = Object.entries(actual).filter(([name]) => !name.startsWith('aws-crypto-'));
  return ours.length === Object.keys(expected).length && ours.every(([name, value]) => Object.hasOwn(expected, name) && expected[name] === value);
};

/** Keyring specs for a keystore key: the current version to encrypt, every usable version to decrypt. */
export const keyringSpecs = (keystore: Keystore, keyId: string): { encrypt: KeyringSpec; decrypt: KeyringSpec[] } => {
  const info = keystore.getKey(keyId);
  const decrypt: KeyringSpec[] = [];
  let encrypt: KeyringSpec | undefined;
  for (const version of keystore.usableVersions(keyId)) {
    const keyName = `${keyId}#${version}`;
    const spec = keystore.withKeyMaterial(keyId, 'wrap', (material, { algorithm }): KeyringSpec =>
      algorithm === 'rsa-3072'
        ? { kind: 'rsa', keyName, publicPem: keystore.publicKeyPem(keyId, version), privatePem: material.toString('utf8') }
        : { kind: 'aes', keyName, key: Buffer.from(material) },
      version,
    );
    decrypt.push(spec);
    if (version === info.version) encrypt = spec.kind === 'rsa' ? { kind: 'rsa', keyName, publicPem: spec.publicPem } : spec;
  }
  return { encrypt: encrypt!, decrypt };
};

const zeroSpecs = (specs: readonly KeyringSpec[]): void => {
  for (const spec of specs) if (spec.kind === 'aes') spec.key.fill(0);
};

/**
 * Builds an envelope over keystore keys with the AWS Encryption SDK: raw AES and raw RSA keyrings
 * in a multi-keyring (plus AWS KMS when configured), the caching materials manager, the committing
 * unsigned suite and `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`. Rebuild it after rotating a key.
 *
 * @example
 * const envelope = await createEnvelope({ keystore, keyIds: ['blob-kek'] });
 * const sealed = await envelope.encrypt(pdfBytes, { purpose: 'lab-report', tenant: 't-1' });
 * const pdf = await envelope.decrypt(sealed, { purpose: 'lab-report', tenant: 't-1' });
 */
export const createEnvelope = async (options: EnvelopeOptions): Promise<Envelope> => {
  if (!Array.isArray(options.keyIds) || options.keyIds.length === 0) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'an envelope needs at least one wrapping key id', hint: "e.g. keyIds: ['blob-kek']" });
  }
  const perKey = options.keyIds.map((id) => keyringSpecs(options.keystore, id));
  const aws: KeyringSpec[] =
    options.awsKms === undefined ? [] : [{ kind: 'aws-kms', generatorKeyId: options.awsKms.generatorKeyId, keyIds: options.awsKms.keyIds ?? [] }];
  const encryptKeyrings = [...perKey.map((k) => k.encrypt), ...aws];
  const decryptKeyrings = [...perKey.flatMap((k) => k.decrypt), ...aws];
  let backend: EsdkEnvelope;
  try {
    backend = await createEsdkEnvelope({
      encryptKeyrings,
      decryptKeyrings,
      cache: options.cache === false ? undefined : { ...defaultCache, ...options.cache },
      maxEncryptedDataKeys: options.maxEncryptedDataKeys ?? encryptKeyrings.length + 1,
      partition: `custos:${options.keyIds.join(',')}`,
    });
  } finally {
    zeroSpecs(decryptKeyrings);
  }
  const envelope: Envelope = {
    encrypt: async (plaintext, context) => {
      checkContext(context);
      const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      if (!(bytes instanceof Uint8Array) || bytes.length > maxPlaintextBytes) {
        throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: `the plaintext must be a string or bytes of at most ${maxPlaintextBytes} bytes`, hint: 'stream larger files in parts' });
      }
      try {
        return await backend.encrypt(bytes, context);
      } catch (cause) {
        throw kmsError('ERR_KMS_ENVELOPE_FAILED', { message: 'envelope encryption failed', hint: 'check that the wrapping keys are enabled', cause });
      }
    },
    decrypt: async (ciphertext, context) => {
      checkContext(context);
      let opened: Awaited<ReturnType<EsdkEnvelope['decrypt']>>;
      try {
        opened = await backend.decrypt(ciphertext);
      } catch (cause) {
        throw kmsError('ERR_KMS_DECRYPT_FAILED', {
          message: 'the envelope cannot be decrypted: it was altered, or none of the configured keys wrapped it',
          hint: 'check that the same keystore and key ids are used as for encryption',
          cause,
        });
      }
      if (!sameContext(context, opened.context)) {
        opened.plaintext.fill(0);
        throw kmsError('ERR_KMS_CONTEXT_MISMATCH', {
          message: 'the message was encrypted under another encryption context',
          hint: 'pass the same context as at encryption: it binds the blob to its purpose and owner',
        });
      }
      return opened.plaintext;
    },
  };
  return Object.freeze(envelope);
};
