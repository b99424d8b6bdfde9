import { kmsError } from './errors.js';
import type { Keystore } from './keystore.js';
import { createEnvelope, type Envelope } from './envelope.js';
import { createDataKeyCache, type CachedDataKey, type DataKeyCacheLimits } from './data-key-cache.js';
import {
  associatedData,
  deriveSuiteKeys,
  fieldSuites,
  formatCiphertext,
  ivBytes,
  maxFieldBytes,
  openPayload,
  parseCiphertext,
  sealPayload,
  suiteCode,
} from './field-format.js';
import { pooledRandom } from './random-pool.js';
import type { DataKeyScope, FieldBinding, FieldSuite } from './types.js';

export interface FieldCipherOptions {
  readonly keystore: Keystore;
  /** Key (purpose `wrap`) under which data keys are wrapped through the Encryption SDK. */
  readonly wrappingKeyId: string;
  /** Further wrapping keys (e.g. an RSA escrow key) each data key is also wrapped under. */
  readonly extraWrappingKeyIds?: readonly string[];
  /** Suite of new data keys (default `aes-256-gcm`); `sm4-*` for GB/T 39786 systems. */
  readonly suite?: FieldSuite;
  /** Data key cache limits (defaults: 5 minutes, 100,000 uses, 10,000 keys). */
  readonly cache?: Partial<DataKeyCacheLimits>;
}

/** Encrypts and decrypts record fields under per-subject or per-tenant data keys. */
export interface FieldCipher {
  /** The suite new data keys use. */
  readonly suite: FieldSuite;
  sealField(value: string, binding: FieldBinding): Promise<string>;
  openField(ciphertext: string, binding: FieldBinding): Promise<string>;
  /**
   * Opens a field and, when it was sealed under an older data key version or another suite,
   * seals it again under the current one (lazy re-encryption): store `ciphertext` when defined.
   */
  openFieldAndRefresh(ciphertext: string, binding: FieldBinding): Promise<{ readonly value: string; readonly ciphertext: string | undefined }>;
  /** Starts a new data key version for a subject or tenant; older versions keep decrypting. */
  rotateDataKey(scope: DataKeyScope): Promise<number>;
  /** Crypto-shredding: erases every version of a data key, making its fields unreadable. */
  shredDataKey(scope: DataKeyScope): number;
  /** Re-wraps every data key not wrapped under the wrapping key's current version; data untouched. */
  rewrapDataKeys(): Promise<{ readonly rewrapped: number }>;
  /** Zeroes cached keys. */
  close(): void;
}

const defaultLimits: DataKeyCacheLimits = Object.freeze({ maxAgeMs: 300_000, maxUses: 100_000, maxEntries: 10_000 });
const maxBindingLength = 512;
const loneSurrogate = /\p{Surrogate}/u;

const checkBinding = (binding: FieldBinding): ['subject' | 'tenant', string] => {
  if (binding === null || typeof binding !== 'object') throw new TypeError('a field binding object is required');
  const hasSubject = binding.subjectId !== undefined;
  const hasTenant = binding.tenantId !== undefined;
  const parts = [binding.recordType, binding.recordId, binding.fieldPath, hasSubject ? binding.subjectId : binding.tenantId];
  if (hasSubject === hasTenant || parts.some((p) => typeof p !== 'string' || p.length === 0 || p.length > maxBindingLength)) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      path: typeof binding.fieldPath === 'string' ? binding.fieldPath : undefined,
      message: `a field binding needs non-empty recordType, recordId, fieldPath (at most ${maxBindingLength} characters) and exactly one of subjectId or tenantId`,
      hint: "e.g. { recordType: 'Patient', recordId: 'p-1', fieldPath: 'telecom.0.value', subjectId: 'p-1' }",
    });
  }
  return hasSubject ? ['subject', binding.subjectId!] : ['tenant', binding.tenantId!];
};

const scopeOf = (scope: DataKeyScope): ['subject' | 'tenant', string] => {
  const id = scope?.subjectId ?? scope?.tenantId;
  if (typeof id !== 'string' || id.length === 0 || id.length > maxBindingLength || (scope.subjectId !== undefined && scope.tenantId !== undefined)) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'pass exactly one of subjectId or tenantId, a non-empty string', hint: "e.g. { subjectId: 'p-1' }" });
  }
  return scope.subjectId !== undefined ? ['subject', id] : ['tenant', id];
};

const dataKeyContext = (scope: string, scopeId: string, version: number, suite: FieldSuite): Record<string, string> => ({
  'custos:purpose': 'field-data-key',
  'custos:scope': scope,
  'custos:scope-id': scopeId,
  'custos:version': String(version),
  'custos:suite': suite,
});

/**
 * Creates a field cipher: each field sealed directly (AES-256-GCM, or SM4 + HMAC-SM3) under a
 * cached data key per subject or tenant; data keys wrapped by the Encryption SDK under keystore keys.
 *
 * @example
 * const fields = createFieldCipher({ keystore, wrappingKeyId: 'records-kek' });
 * const binding = { recordType: 'Patient', recordId: 'p-1', fieldPath: 'name', subjectId: 'p-1' };
 * const sealed = await fields.sealField('张三', binding); // 'c1.a.1.…'
 * await fields.openField(sealed, binding); // '张三'
 */
export const createFieldCipher = (options: FieldCipherOptions): FieldCipher => {
  const { keystore } = options;
  const suite = options.suite ?? 'aes-256-gcm';
  if (!fieldSuites.includes(suite)) {
    throw kmsError('ERR_KMS_UNSUPPORTED_SUITE', { message: `unknown field suite "${String(suite)}"`, hint: `choose one of ${fieldSuites.join(', ')}` });
  }
  const wrapIds = [options.wrappingKeyId, ...(options.extraWrappingKeyIds ?? [])];
  keystore.getKey(options.wrappingKeyId);
  const { clock, random: baseRandom } = keystore.deps;
  const random = pooledRandom(baseRandom);
  const cache = createDataKeyCache({ ...defaultLimits, ...options.cache }, clock);
  const envelopes = new Map<string, { readonly versions: string; readonly envelope: Promise<Envelope> }>();

  // One envelope per set of wrapping keys, rebuilt when any of them was rotated.
  const envelopeFor = (keyIds: readonly string[]): Promise<Envelope> => {
    const versions = keyIds.map((id) => `${id}#${keystore.getKey(id).version}`).join(',');
    const name = keyIds.join(',');
    const known = envelopes.get(name);
    if (known !== undefined && known.versions === versions) return known.envelope;
    const envelope = createEnvelope({ keystore, keyIds, cache: false, maxEncryptedDataKeys: keyIds.length + 1 });
    envelopes.set(name, { versions, envelope });
    envelope.catch(() => envelopes.delete(name));
    return envelope;
  };

  const unwrap = async (scope: string, scopeId: string, version?: number): Promise<CachedDataKey> => {
    const row = keystore.dataKeyRow(scope as 'subject', scopeId, version);
    if (row === undefined) {
      throw kmsError('ERR_KMS_KEY_NOT_FOUND', {
        message: `no data key${version === undefined ? '' : ` version ${version}`} for this ${scope}`,
        hint: 'the field was sealed with another keystore, or the binding names another subject or tenant',
      });
    }
    if (row.state === 'destroyed' || row.wrapped === null) {
      throw kmsError('ERR_KMS_KEY_DESTROYED', {
        message: `the data key of this ${scope} was destroyed (crypto-shredding): its fields cannot be decrypted`,
        hint: 'this is the intended effect of a deletion request (PIPL art. 47)',
      });
    }
    const rowSuite = row.suite as FieldSuite;
    if (!fieldSuites.includes(rowSuite)) throw kmsError('ERR_KMS_KEYSTORE_CORRUPT', { message: 'a data key row names an unknown suite', hint: 'restore the keystore from its backup' });
    const envelope = await envelopeFor(row.kek_id === options.wrappingKeyId ? wrapIds : [row.kek_id]);
    const dataKey = await unwrapDataKey(envelope, row.wrapped, dataKeyContext(scope, scopeId, row.version, rowSuite), keystore.file);
    try {
      return { version: row.version, keys: deriveSuiteKeys(rowSuite, dataKey) };
    } finally {
      dataKey.fill(0);
    }
  };

  const createDataKey = async (scope: string, scopeId: string, version: number, event: 'data-key.created' | 'data-key.rotated'): Promise<CachedDataKey> => {
    const dataKey = Buffer.from(random(32));
    try {
      const envelope = await envelopeFor(wrapIds);
      const wrapped = Buffer.from(await envelope.encrypt(dataKey, dataKeyContext(scope, scopeId, version, suite)));
      const kekVersion = keystore.getKey(options.wrappingKeyId).version;
      try {
        keystore.insertDataKey({ scope, scope_id: scopeId, version, suite, kek_id: options.wrappingKeyId, kek_version: kekVersion, wrapped }, event);
      } catch (err) {
        // Another process created this version first: use theirs.
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return await unwrap(scope, scopeId, version);
        throw err;
      }
      return { version, keys: deriveSuiteKeys(suite, dataKey) };
    } finally {
      dataKey.fill(0);
    }
  };

  const current = (scope: string, scopeId: string): Promise<CachedDataKey> =>
    cache.getOrLoad(`${scope}\0${scopeId}\0current`, async () => {
      const latest = keystore.dataKeyRow(scope as 'subject', scopeId);
      if (latest === undefined) return createDataKey(scope, scopeId, 1, 'data-key.created');
      return unwrap(scope, scopeId, latest.version);
    });

  const byVersion = (scope: string, scopeId: string, version: number): Promise<CachedDataKey> =>
    cache.getOrLoad(`${scope}\0${scopeId}\0${version}`, () => unwrap(scope, scopeId, version));

  // A cache entry evicted while we awaited it has zeroed keys: load again rather than use them.
  const live = async (get: () => Promise<CachedDataKey>): Promise<CachedDataKey> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = await get();
      if (entry.isDropped !== true) return entry;
    }
    throw kmsError('ERR_KMS_KEY_STATE', { message: 'the data key kept changing while in use', hint: 'retry the operation' });
  };

  const seal = async (value: string, binding: FieldBinding): Promise<string> => {
    const [scope, scopeId] = checkBinding(binding);
    if (typeof value !== 'string') {
      throw kmsError('ERR_KMS_INVALID_ARGUMENT', { path: binding.fieldPath, message: `sealField takes a string (got ${value === null ? 'null' : typeof value})`, hint: 'serialise numbers, dates and objects to text first' });
    }
    // A lone UTF-16 surrogate would be replaced by U+FFFD on encoding: refuse rather than lose data.
    if (loneSurrogate.test(value)) {
      throw kmsError('ERR_KMS_INVALID_ARGUMENT', { path: binding.fieldPath, message: `field "${binding.fieldPath}" is not well-formed Unicode (lone surrogate)`, hint: 'repair the text before sealing it' });
    }
    const plaintext = Buffer.from(value, 'utf8');
    if (plaintext.length > maxFieldBytes) {
      throw kmsError('ERR_KMS_INVALID_ARGUMENT', { path: binding.fieldPath, message: `field "${binding.fieldPath}" exceeds ${maxFieldBytes} bytes`, hint: 'encrypt large documents as blobs with createEnvelope' });
    }
    const entry = cache.take(`${scope}\0${scopeId}\0current`) ?? (await live(() => current(scope, scopeId)));
    const keySuite = entry.keys.suite;
    const payload = sealPayload(entry.keys, plaintext, associatedData(binding, suiteCode[keySuite], entry.version), random(ivBytes(keySuite)));
    plaintext.fill(0);
    return formatCiphertext(keySuite, entry.version, payload);
  };

  const open = async (ciphertext: string, binding: FieldBinding): Promise<{ value: string; version: number; suite: FieldSuite; scope: string; scopeId: string }> => {
    const [scope, scopeId] = checkBinding(binding);
    const parsed = parseCiphertext(ciphertext, binding.fieldPath);
    // Hot path: the current data key is cached and the field is current; no promise hop.
    const hit = cache.take(`${scope}\0${scopeId}\0current`);
    const entry = hit !== undefined && hit.version === parsed.version ? hit : await live(() => byVersion(scope, scopeId, parsed.version));
    const plaintext = entry.keys.suite === parsed.suite ? openPayload(entry.keys, parsed.payload, associatedData(binding, parsed.code, parsed.version)) : undefined;
    if (plaintext === undefined) {
      throw kmsError('ERR_KMS_DECRYPT_FAILED', {
        path: binding.fieldPath,
        message: `field "${binding.fieldPath}" of ${binding.recordType} "${binding.recordId}" does not decrypt: it was altered, or it belongs to another field, record or ${scope}`,
        hint: 'a sealed value opens only under the binding it was sealed with',
      });
    }
    try {
      return { value: plaintext.toString('utf8'), version: parsed.version, suite: parsed.suite, scope, scopeId };
    } finally {
      plaintext.fill(0);
    }
  };

  const cipher: FieldCipher = {
    suite,
    sealField: seal,
    openField: async (ciphertext, binding) => (await open(ciphertext, binding)).value,
    openFieldAndRefresh: async (ciphertext, binding) => {
      const opened = await open(ciphertext, binding);
      const latest = await live(() => current(opened.scope, opened.scopeId));
      const isStale = latest.version !== opened.version || opened.suite !== latest.keys.suite;
      return Object.freeze({ value: opened.value, ciphertext: isStale ? await seal(opened.value, binding) : undefined });
    },
    rotateDataKey: async (target) => {
      const [scope, scopeId] = scopeOf(target);
      const latest = keystore.dataKeyRow(scope, scopeId);
      if (latest?.state === 'destroyed') {
        throw kmsError('ERR_KMS_KEY_DESTROYED', { message: `the data key of this ${scope} was destroyed`, hint: 'a shredded subject or tenant gets no new keys' });
      }
      const version = (latest?.version ?? 0) + 1;
      const created = await createDataKey(scope, scopeId, version, latest === undefined ? 'data-key.created' : 'data-key.rotated');
      cache.evict(`${scope}\0${scopeId}\0current`);
      created.keys.encKey.fill(0);
      created.keys.macKey?.fill(0);
      return version;
    },
    shredDataKey: (target) => {
      const [scope, scopeId] = scopeOf(target);
      const latest = keystore.dataKeyRow(scope, scopeId);
      cache.evict(`${scope}\0${scopeId}\0current`);
      for (let v = 1; v <= (latest?.version ?? 0); v++) cache.evict(`${scope}\0${scopeId}\0${v}`);
      return keystore.destroyDataKeys(scope, scopeId);
    },
    rewrapDataKeys: async () => {
      const kekVersion = keystore.getKey(options.wrappingKeyId).version;
      const target = await envelopeFor(wrapIds);
      let rewrapped = 0;
      for (const row of keystore.dataKeysWrappedOtherThan(options.wrappingKeyId, kekVersion)) {
        const context = dataKeyContext(row.scope, row.scope_id, row.version, row.suite as FieldSuite);
        const source = await envelopeFor(row.kek_id === options.wrappingKeyId ? wrapIds : [row.kek_id]);
        const dataKey = await unwrapDataKey(source, row.wrapped!, context, keystore.file);
        try {
          keystore.updateDataKeyWrapping(row, options.wrappingKeyId, kekVersion, Buffer.from(await target.encrypt(dataKey, context)));
          rewrapped += 1;
        } finally {
          dataKey.fill(0);
        }
      }
      return Object.freeze({ rewrapped });
    },
    close: () => {
      cache.clear();
      envelopes.clear();
    },
  };
  return Object.freeze(cipher);
};

// The wrapping keys' material is authenticated by the keystore, so a wrapped data key that does
// not open (or opens under another context) means its row was altered: report corruption.
const unwrapDataKey = async (envelope: Envelope, wrapped: Buffer, context: Record<string, string>, file: string): Promise<Buffer> => {
  try {
    return await envelope.decrypt(wrapped, context);
  } catch (cause) {
    throw kmsError('ERR_KMS_KEYSTORE_CORRUPT', {
      message: `the keystore ${file} is corrupted: a wrapped data key of this ${context['custos:scope']} (version ${context['custos:version']}) does not open`,
      hint: 'restore the keystore from its backup',
      cause,
    });
  }
};

/**
 * Crypto-shredding of one data subject (PIPL art. 47 deletion right): erases every version of
 * the subject's data key, so every field sealed under it becomes unreadable. Returns how many
 * key versions were erased; reported through `onEvent` as `data-key.shredded`.
 *
 * @example
 * shredSubjectKey(fields, 'patient-42');
 */
export const shredSubjectKey = (cipher: FieldCipher, subjectId: string): number => cipher.shredDataKey({ subjectId });
