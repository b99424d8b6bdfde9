// Worker thread of the parallel verifier: recomputes leaf and chain hashes of one seq range
// (aligned to tiles) read through its own read-only connection, and the roots of its tiles.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { chainHash, rowLeafHash } from '../hash-chain.js';
import { logHasher } from '../hashing.js';
import { tileWidth } from '../log-tree.js';
import { merkleRoot } from '../merkle.js';
import type { HashAlgorithm } from '../types.js';

export interface RangeTask {
  readonly file: string;
  readonly algorithm: HashAlgorithm;
  readonly from: number;
  readonly to: number;
}

export interface RangeResult {
  readonly from: number;
  readonly count: number;
  /** Rows whose content, link or position was wrong (the caller then runs the detailed pass). */
  readonly anomalies: number;
  readonly firstPrev: Buffer | undefined;
  readonly lastHash: Buffer | undefined;
  /** Roots of the complete tiles of the range, in order. */
  readonly tiles: Buffer[];
}

const run = (task: RangeTask): RangeResult => {
  const hasher = logHasher(task.algorithm);
  const db = new Database(task.file, { readonly: true, fileMustExist: true });
  try {
    const page = 4096;
    const stmt = db.prepare(`SELECT seq, ts, event, prev, hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ${page}`).raw();
    // One snapshot for the whole range.
    db.exec('BEGIN');
    let next = task.from;
    let expected = task.from;
    let anomalies = 0;
    let count = 0;
    let firstPrev: Buffer | undefined;
    let prevHash: Buffer | undefined;
    const tiles: Buffer[] = [];
    let chunk: Buffer[] = [];
    for (;;) {
      const rows = stmt.all(next, task.to) as [number, number, string, Buffer, Buffer][];
      for (const [seq, ts, event, prev, hash] of rows) {
        const leaf = rowLeafHash(hasher, seq, ts, event);
        if (seq !== expected || !chainHash(hasher, prev, leaf).equals(hash) || (prevHash !== undefined && !prev.equals(prevHash))) anomalies += 1;
        if (firstPrev === undefined) firstPrev = prev;
        prevHash = hash;
        expected = seq + 1;
        count += 1;
        chunk.push(leaf);
        if (chunk.length === tileWidth) {
          tiles.push(merkleRoot(chunk, hasher));
          chunk = [];
        }
      }
      if (rows.length < page) break;
      next = (rows[rows.length - 1] as [number, number, string, Buffer, Buffer])[0] + 1;
    }
    db.exec('COMMIT');
    return { from: task.from, count, anomalies, firstPrev, lastHash: prevHash, tiles };
  } finally {
    db.close();
  }
};

parentPort?.postMessage(run(workerData as RangeTask));
