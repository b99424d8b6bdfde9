import type { Clock } from '../lib/clock.js';
import { zeroSuiteKeys, type SuiteKeys } from './field-format.js';

/** Limits of the in-memory data key cache: bounded lifetime, use count and size. */
export interface DataKeyCacheLimits {
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly maxEntries: number;
}

export interface CachedDataKey {
  readonly version: number;
  readonly keys: SuiteKeys;
  /** Set when the entry was evicted and its keys zeroed: a holder must load again, not use them. */
  readonly isDropped?: boolean;
}

interface Entry extends CachedDataKey {
  readonly expiresAt: number;
  usesLeft: number;
  isDropped: boolean;
}

export interface DataKeyCache {
  /** A live entry, counting one use; undefined when absent, expired or used up. */
  take(id: string): CachedDataKey | undefined;
  /** `take`, or runs `load` once for all concurrent callers of the same id. */
  getOrLoad(id: string, load: () => Promise<CachedDataKey>): Promise<CachedDataKey>;
  evict(id: string): void;
  clear(): void;
}

export const createDataKeyCache = (limits: DataKeyCacheLimits, clock: Clock): DataKeyCache => {
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<CachedDataKey>>();
  const drop = (id: string, entry: Entry): void => {
    entries.delete(id);
    entry.isDropped = true;
    zeroSuiteKeys(entry.keys);
  };
  const take = (id: string): CachedDataKey | undefined => {
    const entry = entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.usesLeft <= 0 || clock.now() >= entry.expiresAt) {
      drop(id, entry);
      return undefined;
    }
    entry.usesLeft -= 1;
    return entry;
  };
  const put = (id: string, value: CachedDataKey): Entry => {
    const old = entries.get(id);
    if (old !== undefined && old.keys !== value.keys) drop(id, old);
    while (entries.size >= limits.maxEntries) {
      const [oldestId, oldest] = entries.entries().next().value as [string, Entry];
      drop(oldestId, oldest);
    }
    // The loading call counts as the first use.
    const entry: Entry = { version: value.version, keys: value.keys, expiresAt: clock.now() + limits.maxAgeMs, usesLeft: limits.maxUses - 1, isDropped: false };
    entries.set(id, entry);
    return entry;
  };
  return {
    take,
    getOrLoad: (id, load) => {
      const hit = take(id);
      if (hit !== undefined) return Promise.resolve(hit);
      const inFlight = pending.get(id);
      if (inFlight !== undefined) return inFlight;
      const loading = load().then(
        (value) => {
          pending.delete(id);
          return put(id, value);
        },
        (err: unknown) => {
          pending.delete(id);
          throw err;
        },
      );
      pending.set(id, loading);
      return loading;
    },
    evict: (id) => {
      const entry = entries.get(id);
      if (entry !== undefined) drop(id, entry);
    },
    clear: () => {
      for (const [id, entry] of entries) drop(id, entry);
    },
  };
};
