import type { AuditQuery } from './types.js';

/**
 * What the audit log needs from its storage; `sqlite/` implements it with better-sqlite3.
 * Hashes are raw 32-byte Buffers; events are canonical JSON text.
 */
export interface StoredRow {
  readonly seq: number;
  readonly ts: number;
  readonly event: string;
  readonly prev: Buffer;
  readonly hash: Buffer;
}

export interface StoredCheckpoint {
  readonly id: number;
  readonly size: number;
  readonly time: number;
  readonly note: string;
}

export interface StoredSeal {
  readonly firstSeq: number;
  /** Exclusive: rows below this seq live in the archive. */
  readonly endSeq: number;
  /** Chain hash of row endSeq - 1, where the live chain resumes. */
  readonly lastHash: Buffer;
  readonly archive: string;
  readonly archiveDigest: string;
  readonly time: number;
}

export interface StoreTail {
  /** Next seq to assign (= number of rows ever appended, sealed ones included). */
  readonly size: number;
  readonly lastHash: Buffer | undefined;
  readonly lastTs: number;
}

/** One write transaction's view: append rows and tiles, read the tail. */
export interface WriteTransaction {
  tail(): StoreTail;
  insertRow(row: StoredRow): void;
  /** Inserts rows in seq order (several per statement: fewer calls into SQLite). */
  insertRows(rows: readonly StoredRow[]): void;
  insertTile(index: number, hash: Buffer): void;
}

export interface AuditStore {
  readonly file: string;
  getMeta(key: string): string | undefined;
  /** Sets a meta value once; returns the value that is stored (an earlier one wins). */
  initMeta(key: string, value: string): string;
  /**
   * Runs `fn` in one immediate (write-locked) transaction and commits it before returning. The
   * commit is atomic and survives a process crash (it is in the OS page cache) but not yet a
   * power loss: call `sync()` for that.
   */
  write<T>(fn: (tx: WriteTransaction) => T): T;
  /**
   * Makes every transaction committed before the call durable (survives power loss), without
   * blocking the calling thread: the fsync runs on the libuv threadpool.
   */
  sync(): Promise<void>;
  tail(): StoreTail;
  /** Rows with from <= seq < to, in seq order. */
  rows(from: number, to: number): IterableIterator<StoredRow>;
  /** Stored tile hashes (each the Merkle root of 256 consecutive leaves) from index `from`. */
  tiles(from?: number): Buffer[];
  insertCheckpoint(size: number, time: number, root: Buffer, note: string): void;
  checkpoints(): StoredCheckpoint[];
  query(query: AuditQuery): StoredRow[];
  /** The highest seq whose timestamp is before `ts` (ms), if any. */
  lastSeqBefore(ts: number): number | undefined;
  seals(): StoredSeal[];
  /** Records a seal and removes the sealed rows, in one transaction. */
  seal(seal: StoredSeal): void;
  /** Names of the append-only triggers that are missing. */
  missingTriggers(): string[];
  bytes(): number;
  close(): void;
}
