import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { systemClock, type Clock } from '../lib/clock.js';
import { cryptoRandom, type RandomSource } from '../lib/random.js';
import { kmsError } from './errors.js';
import { generateRsaPem } from './forge/rsa-key.js';
import { defaultScrypt, rootKeyBytes, type RootKeySource, type ScryptParams } from './root-key.js';
import { openKeystoreDb, type DataKeyRow, type KeyRow, type KeystoreDb } from './sqlite/keystore-db.js';
import type { KeyAlgorithm, KeyInfo, KeyPurpose, KeyState, KmsEvent, KmsEventHook } from './types.js';

export interface KeystoreDeps {
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

export interface OpenKeystoreOptions extends KeystoreDeps {
  /** SQLite file of the keystore (`<dataDir>/keystore.db`). */
  readonly file: string;
  readonly rootKey: RootKeySource;
  /** Create the file when it does not exist (default false: a missing keystore is an error). */
  readonly create?: boolean;
  /** scrypt cost for a passphrase root key, fixed when the keystore is created. */
  readonly scrypt?: ScryptParams;
  /** Seam to the audit log: key operations, ids only. */
  readonly onEvent?: KmsEventHook;
}

const formatVersion = '1';
const verifierText = 'custos keystore verifier v1';
const algorithms: readonly KeyAlgorithm[] = ['aes-256', 'rsa-3072', 'hmac-sha256', 'hmac-sm3'];
const purposes: readonly KeyPurpose[] = ['wrap', 'blind-index', 'pseudonym'];
const states: readonly KeyState[] = ['enabled', 'disabled', 'pending-destruction', 'destroyed'];
const purposeAlgorithms: Readonly<Record<KeyPurpose, readonly KeyAlgorithm[]>> = {
  wrap: ['aes-256', 'rsa-3072'],
  'blind-index': ['hmac-sha256', 'hmac-sm3'],
  pseudonym: ['hmac-sha256', 'hmac-sm3'],
};
const keyIdPattern = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const dayMs = 86_400_000;
const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/** A key past its rotation period, or close to it: one line of the rotation report. */
export interface RotationStatus {
  readonly id: string;
  readonly version: number;
  readonly state: KeyState;
  readonly lastRotatedAt: string;
  readonly ageDays: number;
  readonly isOverdue: boolean;
}

/**
 * The keystore: key-encryption and keyed-hash keys with versions and life-cycle state in one
 * SQLite file, each version's material sealed with AES-256-GCM under a key derived from the root
 * key, bound to its key id, version, algorithm and purpose. Open it with `openKeystore`.
 */
export class Keystore {
  readonly #db: KeystoreDb;
  readonly #storageKey: Buffer;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #onEvent: KmsEventHook | undefined;
  readonly file: string;
  #isClosed = false;

  /** @internal use `openKeystore` */
  constructor(db: KeystoreDb, storageKey: Buffer, file: string, deps: Required<KeystoreDeps> & { onEvent?: KmsEventHook }) {
    this.#db = db;
    this.#storageKey = storageKey;
    this.file = file;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#onEvent = deps.onEvent;
  }

  /** The injected clock and random source, shared with ciphers built on this keystore. */
  get deps(): Required<KeystoreDeps> {
    return { clock: this.#clock, random: this.#random };
  }

  /**
   * Creates a key (version 1, enabled).
   *
   * @example
   * keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' });
   */
  createKey(spec: { readonly id: string; readonly algorithm: KeyAlgorithm; readonly purpose: KeyPurpose }): KeyInfo {
    this.#open();
    checkKeyId(spec.id);
    if (!algorithms.includes(spec.algorithm) || !purposes.includes(spec.purpose) || !purposeAlgorithms[spec.purpose].includes(spec.algorithm)) {
      throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
        message: `a key for purpose "${String(spec.purpose)}" cannot use algorithm "${String(spec.algorithm)}"`,
        hint: 'wrap: aes-256 or rsa-3072; blind-index and pseudonym: hmac-sha256 or hmac-sm3',
      });
    }
    if (this.#db.getKey(spec.id) !== undefined) {
      throw kmsError('ERR_KMS_KEY_EXISTS', { message: `key "${spec.id}" already exists`, hint: 'rotate it with `custos keys rotate`, or choose another id' });
    }
    const now = this.#clock.now();
    const row: KeyRow = {
      id: spec.id,
      algorithm: spec.algorithm,
      purpose: spec.purpose,
      state: 'enabled',
      current_version: 1,
      created_at: now,
      rotated_at: null,
      destroyed_at: null,
      destroy_after: null,
    };
    this.#db.transaction(() => {
      this.#db.insertKey(row);
      this.#insertVersion(row, 1, now);
    });
    this.#emit({ type: 'key.created', keyId: spec.id, version: 1 });
    return this.getKey(spec.id);
  }

  /** Adds a new version that new encryptions use; every older version keeps decrypting. */
  rotateKey(id: string): KeyInfo {
    const row = this.#requireKey(id);
    this.#requireState(row, ['enabled'], 'rotate');
    const now = this.#clock.now();
    const version = row.current_version + 1;
    this.#db.transaction(() => {
      this.#insertVersion(row, version, now);
      this.#db.updateKey({ ...row, current_version: version, rotated_at: now });
    });
    this.#emit({ type: 'key.rotated', keyId: id, version });
    return this.getKey(id);
  }

  /** A disabled key neither encrypts nor decrypts until enabled again. */
  disableKey(id: string): KeyInfo {
    return this.#transition(id, ['enabled'], 'disabled', 'key.disabled');
  }

  enableKey(id: string): KeyInfo {
    return this.#transition(id, ['disabled'], 'enabled', 'key.enabled');
  }

  /** Marks a key for destruction after `pendingDays` (default 7); it is unusable meanwhile. */
  scheduleKeyDestruction(id: string, options: { readonly pendingDays?: number } = {}): KeyInfo {
    const pendingDays = options.pendingDays ?? 7;
    if (!Number.isInteger(pendingDays) || pendingDays < 0 || pendingDays > 365) {
      throw kmsError('ERR_KMS_INVALID_ARGUMENT', { message: 'pendingDays must be an integer from 0 to 365', hint: 'the default is 7' });
    }
    const row = this.#requireKey(id);
    this.#requireState(row, ['enabled', 'disabled'], 'schedule the destruction of');
    this.#db.updateKey({ ...row, state: 'pending-destruction', destroy_after: this.#clock.now() + pendingDays * dayMs });
    this.#emit({ type: 'key.destruction-scheduled', keyId: id });
    return this.getKey(id);
  }

  cancelKeyDestruction(id: string): KeyInfo {
    const row = this.#requireKey(id);
    this.#requireState(row, ['pending-destruction'], 'cancel the destruction of');
    this.#db.updateKey({ ...row, state: 'disabled', destroy_after: null });
    this.#emit({ type: 'key.destruction-cancelled', keyId: id });
    return this.getKey(id);
  }

  /**
   * Erases every version's material. Irreversible: whatever the key protects becomes unreadable.
   * The key must be pending destruction and its waiting period over.
   */
  destroyKey(id: string): KeyInfo {
    const row = this.#requireKey(id);
    this.#requireState(row, ['pending-destruction'], 'destroy');
    const now = this.#clock.now();
    if (row.destroy_after !== null && now < row.destroy_after) {
      throw kmsError('ERR_KMS_KEY_STATE', {
        message: `key "${id}" may be destroyed only after ${iso(row.destroy_after)}`,
        hint: 'wait for the end of the waiting period, or cancel the destruction',
      });
    }
    this.#db.transaction(() => this.#db.updateKey({ ...row, state: 'destroyed', destroyed_at: now, destroy_after: null }));
    this.#db.eraseKeyMaterial(id);
    this.#emit({ type: 'key.destroyed', keyId: id });
    return this.getKey(id);
  }

  getKey(id: string): KeyInfo {
    return toKeyInfo(this.#requireKey(id), this.file);
  }

  listKeys(): readonly KeyInfo[] {
    this.#open();
    return Object.freeze(this.#db.listKeys().map((row) => toKeyInfo(row, this.file)));
  }

  /** Which enabled or disabled keys are past `rotationDays` since creation or last rotation. */
  rotationReport(options: { readonly rotationDays: number }): readonly RotationStatus[] {
    const now = this.#clock.now();
    return Object.freeze(
      this.listKeys()
        .filter((k) => k.state === 'enabled' || k.state === 'disabled')
        .map((k) => {
          const last = Date.parse(k.rotatedAt ?? k.createdAt);
          const ageDays = Math.floor((now - last) / dayMs);
          return Object.freeze({ id: k.id, version: k.version, state: k.state, lastRotatedAt: new Date(last).toISOString(), ageDays, isOverdue: ageDays >= options.rotationDays });
        }),
    );
  }

  /** Versions of a key whose material is still usable (for decryption), oldest first. */
  usableVersions(id: string): readonly number[] {
    const row = this.#requireKey(id);
    this.#requireState(row, ['enabled'], 'use');
    return Object.freeze(this.#db.listVersions(id).map((v) => v.version));
  }

  /** The PEM public key of an RSA key version (no secret involved). */
  publicKeyPem(id: string, version: number): string {
    const row = this.#requireKey(id);
    const pem = this.#db.getVersion(id, version)?.public_pem;
    if (row.algorithm !== 'rsa-3072' || pem === null || pem === undefined) {
      throw kmsError('ERR_KMS_KEY_NOT_FOUND', { message: `key "${id}" has no RSA public key at version ${version}`, hint: 'check the key id and version' });
    }
    return pem;
  }

  /**
   * Lends the plaintext material of one key version to `use`, then zeroes it. The key must be
   * enabled and of the given purpose. `version` defaults to the current one.
   */
  withKeyMaterial<T>(id: string, purpose: KeyPurpose, use: (material: Buffer, info: { version: number; algorithm: KeyAlgorithm }) => T, version?: number): T {
    const row = this.#requireKey(id);
    this.#requireState(row, ['enabled'], 'use');
    if (row.purpose !== purpose) {
      throw kmsError('ERR_KMS_KEY_STATE', { message: `key "${id}" serves purpose "${row.purpose}", not "${purpose}"`, hint: `create a key with purpose ${purpose}` });
    }
    const v = version ?? row.current_version;
    const stored = this.#db.getVersion(id, v);
    if (stored === undefined) {
      throw kmsError('ERR_KMS_KEY_NOT_FOUND', { message: `key "${id}" has no version ${v}`, hint: 'the data names a version this keystore never had: check that the right keystore is open' });
    }
    if (stored.material === null) throw this.#corrupt(`key "${id}" version ${v} has no material`);
    const material = this.#openMaterial(stored.material, materialAad(row, v), `key "${id}" version ${v}`);
    try {
      return use(material, { version: v, algorithm: row.algorithm as KeyAlgorithm });
    } finally {
      material.fill(0);
    }
  }

  // ---- data keys (used by field ciphers; rows hold only wrapped keys) ----

  /** @internal */
  dataKeyRow(scope: 'subject' | 'tenant', scopeId: string, version?: number): DataKeyRow | undefined {
    this.#open();
    return this.#db.getDataKey(scope, scopeId, version);
  }

  /** @internal */
  insertDataKey(row: Omit<DataKeyRow, 'created_at' | 'destroyed_at' | 'state'>, event: KmsEvent['type']): void {
    this.#open();
    this.#db.insertDataKey({ ...row, state: 'enabled', created_at: this.#clock.now(), destroyed_at: null });
    this.#emit({ type: event, scope: row.scope as 'subject', scopeId: row.scope_id, version: row.version });
  }

  /** @internal */
  dataKeysWrappedOtherThan(kekId: string, kekVersion: number): readonly DataKeyRow[] {
    this.#open();
    return this.#db.listDataKeysWrappedOtherThan(kekId, kekVersion);
  }

  /** @internal */
  updateDataKeyWrapping(row: DataKeyRow, kekId: string, kekVersion: number, wrapped: Buffer): void {
    this.#db.updateDataKeyWrapping(row.scope, row.scope_id, row.version, kekId, kekVersion, wrapped);
    this.#emit({ type: 'data-key.rewrapped', scope: row.scope as 'subject', scopeId: row.scope_id, version: row.version });
  }

  /** @internal Erases every version of one subject's or tenant's data key; returns how many. */
  destroyDataKeys(scope: 'subject' | 'tenant', scopeId: string): number {
    this.#open();
    const count = this.#db.destroyDataKeys(scope, scopeId, this.#clock.now());
    this.#emit({ type: 'data-key.shredded', scope, scopeId, count });
    return count;
  }

  /** Counts of data keys, for `custos keys status`. */
  dataKeyCounts(): { readonly active: number; readonly destroyed: number } {
    this.#open();
    return Object.freeze({ ...this.#db.countDataKeys() });
  }

  /** Closes the file and zeroes the storage key. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#storageKey.fill(0);
    this.#db.close();
  }

  #open(): void {
    if (this.#isClosed) throw new TypeError('the keystore is closed');
  }

  #emit(event: Omit<KmsEvent, 'at'>): void {
    this.#onEvent?.(Object.freeze({ ...event, at: new Date(this.#clock.now()).toISOString() }));
  }

  #requireKey(id: string): KeyRow {
    this.#open();
    const row = typeof id === 'string' ? this.#db.getKey(id) : undefined;
    if (row === undefined) {
      throw kmsError('ERR_KMS_KEY_NOT_FOUND', { message: `no key "${typeof id === 'string' ? id : kindOfId(id)}" in the keystore`, hint: 'list keys with `custos keys list`' });
    }
    if (!states.includes(row.state as KeyState) || !algorithms.includes(row.algorithm as KeyAlgorithm) || !purposes.includes(row.purpose as KeyPurpose)) {
      throw this.#corrupt(`key "${id}" has an unknown state, algorithm or purpose`);
    }
    return row;
  }

  #requireState(row: KeyRow, allowed: readonly KeyState[], action: string): void {
    if (allowed.includes(row.state as KeyState)) return;
    if (row.state === 'destroyed') {
      throw kmsError('ERR_KMS_KEY_DESTROYED', {
        message: `key "${row.id}" was destroyed on ${iso(row.destroyed_at)}; data protected by it cannot be recovered`,
        hint: 'this is the intended effect of crypto-shredding',
      });
    }
    throw kmsError('ERR_KMS_KEY_STATE', {
      message: `cannot ${action} key "${row.id}": it is ${row.state}`,
      hint: row.state === 'disabled' ? 'enable it with `custos keys enable`' : `allowed states: ${allowed.join(', ')}`,
    });
  }

  #transition(id: string, from: readonly KeyState[], to: KeyState, event: KmsEvent['type']): KeyInfo {
    const row = this.#requireKey(id);
    this.#requireState(row, from, to === 'enabled' ? 'enable' : 'disable');
    this.#db.updateKey({ ...row, state: to });
    this.#emit({ type: event, keyId: id });
    return this.getKey(id);
  }

  #insertVersion(row: KeyRow, version: number, now: number): void {
    const { secret, publicPem } = generateMaterial(row.algorithm as KeyAlgorithm, this.#random);
    try {
      this.#db.insertVersion({
        key_id: row.id,
        version,
        created_at: now,
        material: this.#sealMaterial(secret, materialAad(row, version)),
        public_pem: publicPem ?? null,
      });
    } finally {
      secret.fill(0);
    }
  }

  #sealMaterial(material: Buffer, aad: Buffer): Buffer {
    return sealStored(this.#storageKey, material, aad, this.#random);
  }

  #openMaterial(sealed: Buffer, aad: Buffer, what: string): Buffer {
    const opened = openStored(this.#storageKey, sealed, aad);
    if (opened === undefined) throw this.#corrupt(`${what} fails its integrity check`);
    return opened;
  }

  #corrupt(what: string) {
    return kmsError('ERR_KMS_KEYSTORE_CORRUPT', {
      message: `the keystore ${this.file} is corrupted: ${what}`,
      hint: 'the root key is right (the verification record opens), so the file was altered: restore it from its backup',
    });
  }
}

const kindOfId = (id: unknown): string => `<${typeof id}>`;

const checkKeyId = (id: string): void => {
  if (typeof id !== 'string' || !keyIdPattern.test(id)) {
    throw kmsError('ERR_KMS_INVALID_ARGUMENT', {
      message: 'a key id is 1–64 characters: lower-case letters, digits, dots, underscores, hyphens, starting with a letter or digit',
      hint: 'e.g. records-kek or phone-index',
    });
  }
};

const materialAad = (row: KeyRow, version: number): Buffer =>
  Buffer.from(`custos-kms/v1\0${row.id}\0${version}\0${row.algorithm}\0${row.purpose}`, 'utf8');

const generateMaterial = (algorithm: KeyAlgorithm, random: RandomSource): { secret: Buffer; publicPem?: string } => {
  if (algorithm === 'rsa-3072') {
    const pair = generateRsaPem(3072);
    return { secret: Buffer.from(pair.privatePem, 'utf8'), publicPem: pair.publicPem };
  }
  return { secret: Buffer.from(random(32)) };
};

// Stored form of sealed material: iv (12) || ciphertext || tag (16), AES-256-GCM (NIST SP 800-38D).
const sealStored = (key: Buffer, plaintext: Buffer, aad: Buffer, random: RandomSource): Buffer => {
  const iv = Buffer.from(random(12));
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
};

const openStored = (key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined => {
  if (sealed.length < 28) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
};

const toKeyInfo = (row: KeyRow, file: string): KeyInfo => {
  if (!states.includes(row.state as KeyState)) {
    throw kmsError('ERR_KMS_KEYSTORE_CORRUPT', { message: `the keystore ${file} is corrupted: key "${row.id}" has an unknown state`, hint: 'restore it from its backup' });
  }
  return Object.freeze({
    id: row.id,
    algorithm: row.algorithm as KeyAlgorithm,
    purpose: row.purpose as KeyPurpose,
    state: row.state as KeyState,
    version: row.current_version,
    createdAt: new Date(row.created_at).toISOString(),
    rotatedAt: iso(row.rotated_at),
    destroyedAt: iso(row.destroyed_at),
    destroyAfter: iso(row.destroy_after),
  });
};

// HKDF (RFC 5869) separates the storage key from the root key, so the root key is never used directly.
const storageKeyFrom = (root: Buffer): Buffer => Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), 'custos/kms/keystore-storage/v1', 32));

/**
 * Opens (or with `create: true`, creates) a keystore. A wrong root key gives
 * `ERR_KMS_ROOT_KEY_WRONG`; a damaged file `ERR_KMS_KEYSTORE_CORRUPT`; a missing file
 * `ERR_KMS_KEYSTORE_UNREADABLE`.
 *
 * @example
 * const keystore = openKeystore({ file: 'custos-data/keystore.db', rootKey: rootKeyFromEnvironment({ env: process.env }), create: true });
 */
export const openKeystore = (options: OpenKeystoreOptions): Keystore => {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const db = openKeystoreDb(options.file, { create: options.create === true });
  try {
    const storageKey = unlockStorageKey(db, options, random);
    return new Keystore(db, storageKey, options.file, { clock, random, ...(options.onEvent ? { onEvent: options.onEvent } : {}) });
  } catch (err) {
    db.close();
    throw err;
  }
};

const unlockStorageKey = (db: KeystoreDb, options: OpenKeystoreOptions, random: RandomSource): Buffer => {
  const corrupt = (what: string) =>
    kmsError('ERR_KMS_KEYSTORE_CORRUPT', { message: `the keystore ${options.file} is corrupted: ${what}`, hint: 'restore it from its backup' });
  const verifier = db.getMeta('verifier');
  if (verifier === undefined) {
    if (db.listKeys().length > 0) throw corrupt('its verification record is missing');
    // A new keystore: fix the root-key derivation and write the verification record.
    const kdf = options.rootKey.kind;
    const salt = Buffer.from(random(16));
    const scrypt = options.scrypt ?? defaultScrypt;
    const root = rootKeyBytes(options.rootKey, salt, scrypt);
    const storageKey = storageKeyFrom(root);
    root.fill(0);
    db.transaction(() => {
      db.setMeta('format', formatVersion);
      db.setMeta('kdf', kdf);
      db.setMeta('salt', salt.toString('base64'));
      db.setMeta('scrypt', JSON.stringify(scrypt));
      db.setMeta('verifier', sealStored(storageKey, Buffer.from(verifierText), Buffer.from('custos/kms/verifier'), random).toString('base64'));
    });
    return storageKey;
  }
  if (db.getMeta('format') !== formatVersion) throw corrupt('unknown format version');
  const kdf = db.getMeta('kdf');
  if (kdf !== options.rootKey.kind) {
    throw kmsError('ERR_KMS_ROOT_KEY_WRONG', {
      message: `the keystore ${options.file} was created with a ${kdf === 'raw' ? '32-byte raw' : 'passphrase'} root key, and a ${options.rootKey.kind === 'raw' ? '32-byte raw key' : 'passphrase'} was given`,
      hint: 'set CUSTOS_ROOT_KEY (or kms.rootKeyFile) to the root key this keystore was created with',
    });
  }
  let scrypt: ScryptParams;
  try {
    scrypt = JSON.parse(db.getMeta('scrypt') ?? '') as ScryptParams;
  } catch {
    throw corrupt('its key-derivation parameters are unreadable');
  }
  if (!Number.isInteger(scrypt.N) || !Number.isInteger(scrypt.r) || !Number.isInteger(scrypt.p) || scrypt.N > 2 ** 22) throw corrupt('its key-derivation parameters are invalid');
  const root = rootKeyBytes(options.rootKey, Buffer.from(db.getMeta('salt') ?? '', 'base64'), scrypt);
  const storageKey = storageKeyFrom(root);
  root.fill(0);
  const opened = openStored(storageKey, Buffer.from(verifier, 'base64'), Buffer.from('custos/kms/verifier'));
  if (opened === undefined || opened.toString() !== verifierText) {
    storageKey.fill(0);
    throw kmsError('ERR_KMS_ROOT_KEY_WRONG', {
      message: `the root key does not open the keystore ${options.file}`,
      hint: 'set CUSTOS_ROOT_KEY (or kms.rootKeyFile) to the root key this keystore was created with; nothing was decrypted',
    });
  }
  return storageKey;
};
