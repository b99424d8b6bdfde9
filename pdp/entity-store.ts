import { openSqliteEntityStore } from './sqlite/entity-store.js';
import type { EntityStore } from './types.js';

export interface EntityStoreOptions {
  /** SQLite file path, or `':memory:'` for a private in-memory store. */
  readonly file: string;
}

/**
 * Opens the entity store (subjects, resources, relationships, consents) on SQLite.
 *
 * @example
 * const entities = openEntityStore({ file: ':memory:' });
 * entities.importEntities('examples/hospital/entities');
 * entities.get('user', 'd001')?.attributes.department; // 'cardiology'
 */
export const openEntityStore = ({ file }: EntityStoreOptions): EntityStore => openSqliteEntityStore(file);
