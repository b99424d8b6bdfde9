/**
 * The entity store on SQLite (better-sqlite3): subjects, resources, relationships and consents.
 * Reads go through an in-memory cache (negative lookups included) that every write clears,
 * so a decision costs no SQL once the working set is warm.
 */
import Database from 'better-sqlite3';
import { CustosError } from '../../lib/errors.js';
import { listEntityFiles, readEntityFile, type EntityBatch } from '../entity-files.js';
import type { Consent, EntityRecord, EntityStore, ImportSummary, Relationship } from '../types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entities (
  type TEXT NOT NULL, id TEXT NOT NULL, attributes TEXT NOT NULL, PRIMARY KEY (type, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relationships (
  subject_type TEXT NOT NULL, subject_id TEXT NOT NULL, relation TEXT NOT NULL,
  object_type TEXT NOT NULL, object_id TEXT NOT NULL,
  PRIMARY KEY (subject_type, subject_id, relation, object_type, object_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS consents (
  id TEXT PRIMARY KEY, patient TEXT NOT NULL, purpose TEXT NOT NULL, recipient TEXT,
  scope TEXT NOT NULL, valid_from TEXT, valid_until TEXT, withdrawn_at TEXT
);
CREATE INDEX IF NOT EXISTS consents_patient ON consents (patient);
`;

interface ConsentRow {
  id: string;
  patient: string;
  purpose: string;
  recipient: string | null;
  scope: string;
  valid_from: string | null;
  valid_until: string | null;
  withdrawn_at: string | null;
}

const rowToConsent = (r: ConsentRow): Consent =>
  Object.freeze({
    id: r.id,
    patient: r.patient,
    purpose: r.purpose,
    ...(r.recipient === null ? {} : { recipient: r.recipient }),
    scope: Object.freeze(JSON.parse(r.scope) as string[]),
    ...(r.valid_from === null ? {} : { validFrom: r.valid_from }),
    ...(r.valid_until === null ? {} : { validUntil: r.valid_until }),
    ...(r.withdrawn_at === null ? {} : { withdrawnAt: r.withdrawn_at }),
  });

const deepFreeze = <T>(v: T): T => {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
};

class SqliteEntityStore implements EntityStore {
  readonly #db: Database.Database;
  readonly #entityCache = new Map<string, Map<string, EntityRecord | null>>();
  readonly #listCache = new Map<string, readonly EntityRecord[]>();
  readonly #relationCache = new Map<string, Map<string, readonly Relationship[]>>();
  readonly #consentCache = new Map<string, readonly Consent[]>();
  readonly #stmts;
  #closed = false;

  constructor(file: string) {
    this.#db = new Database(file);
    if (file !== ':memory:') this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.#stmts = {
      get: this.#db.prepare<[string, string], { attributes: string }>('SELECT attributes FROM entities WHERE type = ? AND id = ?'),
      list: this.#db.prepare<[string], { id: string; attributes: string }>('SELECT id, attributes FROM entities WHERE type = ? ORDER BY id'),
      putEntity: this.#db.prepare('INSERT OR REPLACE INTO entities (type, id, attributes) VALUES (?, ?, ?)'),
      relations: this.#db.prepare<[string, string], { relation: string; object_type: string; object_id: string }>(
        'SELECT relation, object_type, object_id FROM relationships WHERE subject_type = ? AND subject_id = ? ORDER BY relation, object_type, object_id',
      ),
      putRelation: this.#db.prepare('INSERT OR IGNORE INTO relationships VALUES (?, ?, ?, ?, ?)'),
      consents: this.#db.prepare<[string], ConsentRow>('SELECT * FROM consents WHERE patient = ? ORDER BY id'),
      putConsent: this.#db.prepare('INSERT OR REPLACE INTO consents VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  #open(): void {
    if (this.#closed) throw new CustosError('ERR_PDP_STORE_CLOSED', { message: 'the entity store is closed', hint: 'open a new store with openEntityStore()' });
  }

  #invalidate(): void {
    this.#entityCache.clear();
    this.#listCache.clear();
    this.#relationCache.clear();
    this.#consentCache.clear();
  }

  get(type: string, id: string): EntityRecord | undefined {
    let byId = this.#entityCache.get(type);
    if (byId === undefined) {
      this.#open();
      byId = new Map();
      this.#entityCache.set(type, byId);
    }
    const cached = byId.get(id);
    if (cached !== undefined) return cached ?? undefined;
    this.#open();
    const row = this.#stmts.get.get(type, id);
    const record = row ? deepFreeze({ type, id, attributes: JSON.parse(row.attributes) as Record<string, unknown> }) : null;
    if (byId.size > 100_000) byId.clear(); // bound memory on huge stores
    byId.set(id, record);
    return record ?? undefined;
  }

  list(type: string): readonly EntityRecord[] {
    const cached = this.#listCache.get(type);
    if (cached) return cached;
    this.#open();
    const rows = this.#stmts.list.all(type).map((r) => deepFreeze({ type, id: r.id, attributes: JSON.parse(r.attributes) as Record<string, unknown> }));
    const frozen = Object.freeze(rows);
    this.#listCache.set(type, frozen);
    return frozen;
  }

  relationships(subject: { readonly type: string; readonly id: string }, relation?: string): readonly Relationship[] {
    let byId = this.#relationCache.get(subject.type);
    if (byId === undefined) {
      byId = new Map();
      this.#relationCache.set(subject.type, byId);
    }
    let all = byId.get(subject.id);
    if (all === undefined) {
      this.#open();
      all = Object.freeze(
        this.#stmts.relations.all(subject.type, subject.id).map((r) =>
          Object.freeze({ subject: Object.freeze({ type: subject.type, id: subject.id }), relation: r.relation, object: Object.freeze({ type: r.object_type, id: r.object_id }) }),
        ),
      );
      byId.set(subject.id, all);
    }
    return relation === undefined ? all : all.filter((r) => r.relation === relation);
  }

  consentsFor(patient: string): readonly Consent[] {
    const cached = this.#consentCache.get(patient);
    if (cached) return cached;
    this.#open();
    const list = Object.freeze(this.#stmts.consents.all(patient).map(rowToConsent));
    this.#consentCache.set(patient, list);
    return list;
  }

  putEntity(e: EntityRecord): void {
    this.#open();
    this.#stmts.putEntity.run(e.type, e.id, JSON.stringify(e.attributes));
    this.#invalidate();
  }

  putRelationship(r: Relationship): void {
    this.#open();
    this.#stmts.putRelation.run(r.subject.type, r.subject.id, r.relation, r.object.type, r.object.id);
    this.#invalidate();
  }

  putConsent(c: Consent): void {
    this.#open();
    this.#stmts.putConsent.run(c.id, c.patient, c.purpose, c.recipient ?? null, JSON.stringify(c.scope), c.validFrom ?? null, c.validUntil ?? null, c.withdrawnAt ?? null);
    this.#invalidate();
  }

  importEntities(dirOrFile: string): ImportSummary {
    this.#open();
    let files: string[];
    try {
      files = listEntityFiles(dirOrFile);
    } catch (cause) {
      throw new CustosError('ERR_PDP_ENTITY_UNREADABLE', { at: { file: dirOrFile }, message: `cannot read entity data (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, hint: 'check the path', cause });
    }
    const batches: EntityBatch[] = files.map(readEntityFile); // parse everything before writing anything
    const write = this.#db.transaction(() => {
      for (const b of batches) {
        for (const e of b.entities) this.#stmts.putEntity.run(e.type, e.id, JSON.stringify(e.attributes));
        for (const r of b.relationships) this.#stmts.putRelation.run(r.subject.type, r.subject.id, r.relation, r.object.type, r.object.id);
        for (const c of b.consents) {
          this.#stmts.putConsent.run(c.id, c.patient, c.purpose, c.recipient ?? null, JSON.stringify(c.scope), c.validFrom ?? null, c.validUntil ?? null, c.withdrawnAt ?? null);
        }
      }
    });
    write();
    this.#invalidate();
    return Object.freeze({
      files: files.length,
      entities: batches.reduce((n, b) => n + b.entities.length, 0),
      relationships: batches.reduce((n, b) => n + b.relationships.length, 0),
      consents: batches.reduce((n, b) => n + b.consents.length, 0),
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#invalidate();
    this.#db.close();
  }
}

/** Opens (or creates) an entity store in a SQLite file; `':memory:'` for a private in-memory one. */
export const openSqliteEntityStore = (file: string): EntityStore => new SqliteEntityStore(file);
