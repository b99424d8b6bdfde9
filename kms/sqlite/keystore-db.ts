// The keystore's SQLite storage (better-sqlite3). Only rows go in and out of here: encryption
// of key material happens in ../keystore.ts, so this file never sees plaintext keys.
import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { kmsError } from '../errors.js';

export interface KeyRow {
  readonly id: string;
  readonly algorithm: string;
  readonly purpose: string;
  readonly state: string;
  readonly current_version: number;
  readonly created_at: number;
  readonly rotated_at: number | null;
  readonly destroyed_at: number | null;
  readonly destroy_after: number | null;
}

export interface KeyVersionRow {
  readonly key_id: string;
  readonly version: number;
  readonly created_at: number;
  readonly material: Buffer | null;
  readonly public_pem: string | null;
}

export interface DataKeyRow {
  readonly scope: string;
  readonly scope_id: string;
  readonly version: number;
  readonly suite: string;
  readonly kek_id: string;
  readonly kek_version: number;
  readonly wrapped: Buffer | null;
  readonly state: string;
  readonly created_at: number;
  readonly destroyed_at: number | null;
}

/** The storage a keystore needs; one implementation (SQLite) today, a PostgreSQL or HSM one later. */
export interface KeystoreDb {
  getMeta(name: string): string | undefined;
  setMeta(name: string, value: string): void;
  getKey(id: string): KeyRow | undefined;
  listKeys(): KeyRow[];
  insertKey(row: KeyRow): void;
  updateKey(row: KeyRow): void;
  getVersion(id: string, version: number): KeyVersionRow | undefined;
  listVersions(id: string): KeyVersionRow[];
  insertVersion(row: KeyVersionRow): void;
  eraseKeyMaterial(id: string): void;
  getDataKey(scope: string, scopeId: string, version?: number): DataKeyRow | undefined;
  listDataKeys(scope: string, scopeId: string): DataKeyRow[];
  listDataKeysWrappedOtherThan(kekId: string, kekVersion: number): DataKeyRow[];
  insertDataKey(row: DataKeyRow): void;
  updateDataKeyWrapping(scope: string, scopeId: string, version: number, kekId: string, kekVersion: number, wrapped: Buffer): void;
  destroyDataKeys(scope: string, scopeId: string, at: number): number;
  countDataKeys(): { active: number; destroyed: number };
  transaction<T>(fn: () => T): T;
  close(): void;
}

const schema = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS keys (
  id TEXT PRIMARY KEY, algorithm TEXT NOT NULL, purpose TEXT NOT NULL, state TEXT NOT NULL,
  current_version INTEGER NOT NULL, created_at INTEGER NOT NULL, rotated_at INTEGER,
  destroyed_at INTEGER, destroy_after INTEGER) STRICT;
CREATE TABLE IF NOT EXISTS key_versions (
  key_id TEXT NOT NULL, version INTEGER NOT NULL, created_at INTEGER NOT NULL,
  material BLOB, public_pem TEXT, PRIMARY KEY (key_id, version)) STRICT;
CREATE TABLE IF NOT EXISTS data_keys (
  scope TEXT NOT NULL, scope_id TEXT NOT NULL, version INTEGER NOT NULL, suite TEXT NOT NULL,
  kek_id TEXT NOT NULL, kek_version INTEGER NOT NULL, wrapped BLOB, state TEXT NOT NULL,
  created_at INTEGER NOT NULL, destroyed_at INTEGER, PRIMARY KEY (scope, scope_id, version)) STRICT;
CREATE INDEX IF NOT EXISTS data_keys_kek ON data_keys (kek_id, kek_version);
`;

const corrupt = (file: string, cause: unknown) =>
  kmsError('ERR_KMS_KEYSTORE_CORRUPT', {
    message: `the keystore ${file} is not a readable Custos keystore (${(cause as { code?: string }).code ?? 'error'})`,
    hint: 'restore the keystore from its backup; do not edit it by hand',
    cause,
  });

export const openKeystoreDb = (file: string, options: { readonly create: boolean }): KeystoreDb => {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: !options.create });
    // Sealed key material only, but still nobody else's business: owner read/write.
    if (options.create) chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Crypto-shredding: overwrite freed pages so destroyed key material does not linger in the file.
    db.pragma('secure_delete = ON');
    db.exec(schema);
  } catch (cause) {
    if ((cause as { code?: string }).code === 'SQLITE_CANTOPEN') {
      throw kmsError('ERR_KMS_KEYSTORE_UNREADABLE', {
        message: `cannot open the keystore ${file}`,
        hint: 'run `custos keys init` to create it, or check --data-dir and file permissions',
        cause,
      });
    }
    throw corrupt(file, cause);
  }
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (cause) {
      if ((cause as { code?: string }).code?.startsWith('SQLITE_CORRUPT') || (cause as { code?: string }).code === 'SQLITE_NOTADB') throw corrupt(file, cause);
      throw cause;
    }
  };
  const stmt = {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE name = ?'),
    setMeta: db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
    getKey: db.prepare<[string], KeyRow>('SELECT * FROM keys WHERE id = ?'),
    listKeys: db.prepare<[], KeyRow>('SELECT * FROM keys ORDER BY id'),
    insertKey: db.prepare(
      'INSERT INTO keys (id, algorithm, purpose, state, current_version, created_at, rotated_at, destroyed_at, destroy_after) VALUES (@id, @algorithm, @purpose, @state, @current_version, @created_at, @rotated_at, @destroyed_at, @destroy_after)',
    ),
    updateKey: db.prepare(
      'UPDATE keys SET state = @state, current_version = @current_version, rotated_at = @rotated_at, destroyed_at = @destroyed_at, destroy_after = @destroy_after WHERE id = @id',
    ),
    getVersion: db.prepare<[string, number], KeyVersionRow>('SELECT * FROM key_versions WHERE key_id = ? AND version = ?'),
    listVersions: db.prepare<[string], KeyVersionRow>('SELECT * FROM key_versions WHERE key_id = ? ORDER BY version'),
    insertVersion: db.prepare('INSERT INTO key_versions (key_id, version, created_at, material, public_pem) VALUES (@key_id, @version, @created_at, @material, @public_pem)'),
    eraseMaterial: db.prepare('UPDATE key_versions SET material = NULL WHERE key_id = ?'),
    getDataKey: db.prepare<[string, string, number], DataKeyRow>('SELECT * FROM data_keys WHERE scope = ? AND scope_id = ? AND version = ?'),
    getLatestDataKey: db.prepare<[string, string], DataKeyRow>('SELECT * FROM data_keys WHERE scope = ? AND scope_id = ? ORDER BY version DESC LIMIT 1'),
    listDataKeys: db.prepare<[string, string], DataKeyRow>('SELECT * FROM data_keys WHERE scope = ? AND scope_id = ? ORDER BY version'),
    listOtherWrapped: db.prepare<[string, number], DataKeyRow>(
      "SELECT * FROM data_keys WHERE state = 'enabled' AND NOT (kek_id = ? AND kek_version = ?) ORDER BY scope, scope_id, version",
    ),
    insertDataKey: db.prepare(
      'INSERT INTO data_keys (scope, scope_id, version, suite, kek_id, kek_version, wrapped, state, created_at, destroyed_at) VALUES (@scope, @scope_id, @version, @suite, @kek_id, @kek_version, @wrapped, @state, @created_at, @destroyed_at)',
    ),
    updateWrapping: db.prepare('UPDATE data_keys SET kek_id = ?, kek_version = ?, wrapped = ? WHERE scope = ? AND scope_id = ? AND version = ?'),
    destroyDataKeys: db.prepare("UPDATE data_keys SET wrapped = NULL, state = 'destroyed', destroyed_at = ? WHERE scope = ? AND scope_id = ? AND state <> 'destroyed'"),
    countDataKeys: db.prepare<[], { active: number; destroyed: number }>(
      "SELECT coalesce(sum(state = 'enabled'), 0) AS active, coalesce(sum(state = 'destroyed'), 0) AS destroyed FROM data_keys",
    ),
  };
  // The write-ahead log still holds the old pages until a checkpoint; truncate it after erasing.
  const flushWal = (): void => void db.pragma('wal_checkpoint(TRUNCATE)');
  return {
    getMeta: (name) => guard(() => stmt.getMeta.get(name)?.value),
    setMeta: (name, value) => void guard(() => stmt.setMeta.run(name, value)),
    getKey: (id) => guard(() => stmt.getKey.get(id)),
    listKeys: () => guard(() => stmt.listKeys.all()),
    insertKey: (row) => void guard(() => stmt.insertKey.run(row)),
    updateKey: (row) => void guard(() => stmt.updateKey.run(row)),
    getVersion: (id, version) => guard(() => stmt.getVersion.get(id, version)),
    listVersions: (id) => guard(() => stmt.listVersions.all(id)),
    insertVersion: (row) => void guard(() => stmt.insertVersion.run(row)),
    eraseKeyMaterial: (id) => {
      guard(() => stmt.eraseMaterial.run(id));
      flushWal();
    },
    getDataKey: (scope, scopeId, version) =>
      guard(() => (version === undefined ? stmt.getLatestDataKey.get(scope, scopeId) : stmt.getDataKey.get(scope, scopeId, version))),
    listDataKeys: (scope, scopeId) => guard(() => stmt.listDataKeys.all(scope, scopeId)),
    listDataKeysWrappedOtherThan: (kekId, kekVersion) => guard(() => stmt.listOtherWrapped.all(kekId, kekVersion)),
    insertDataKey: (row) => void guard(() => stmt.insertDataKey.run(row)),
    updateDataKeyWrapping: (scope, scopeId, version, kekId, kekVersion, wrapped) =>
      void guard(() => stmt.updateWrapping.run(kekId, kekVersion, wrapped, scope, scopeId, version)),
    destroyDataKeys: (scope, scopeId, at) => {
      const changes = guard(() => stmt.destroyDataKeys.run(at, scope, scopeId).changes);
      flushWal();
      return changes;
    },
    countDataKeys: () => guard(() => stmt.countDataKeys.get() ?? { active: 0, destroyed: 0 }),
    transaction: (fn) => guard(() => db.transaction(fn)()),
    close: () => db.close(),
  };
};
