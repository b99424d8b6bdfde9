// Worker thread of the parallel verifier: recomputes leaf and chain hashes of one seq range
// (aligned to tiles) read through its own read-only connection, and the roots of its tiles.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { hash } from 'node:crypto';
import { tileWidth } from '../log-tree.js';
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

/** RFC 9162 MTH of a complete tile (a power of two leaves, so levels pair evenly), in place. */
const tileRoot = (leaves: Buffer, count: number, digest: (data: Uint8Array) => Buffer, node: Buffer): Buffer => {
  // node = 0x01 || left || right (RFC 9162 §2.1.1), refilled for each pair.
  let width = count;
  while (width > 1) {
    for (let i = 0; i < width; i += 2) {
      leaves.copy(node, 1, i * 32, i * 32 + 64);
      digest(node).copy(leaves, (i / 2) * 32);
    }
    width /= 2;
  }
  return Buffer.from(leaves.subarray(0, 32));
};

const run = (task: RangeTask): RangeResult => {
  const algorithm = task.algorithm;
  const db = new Database(task.file, { readonly: true, fileMustExist: true });
  try {
    const page = 4096;
    // Hashes come out of SQLite as hex text: creating two Buffers per row cost more than the
    // hashing; the digests are compared as hex strings.
    const stmt = db.prepare(`SELECT seq, ts, event, lower(hex(prev)), lower(hex(hash)) FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ${page}`).raw();
    // One snapshot for the whole range.
    db.exec('BEGIN');
    let next = task.from;
    let expected = task.from;
    let anomalies = 0;
    let count = 0;
    let firstPrev: string | undefined;
    let prevHash: string | undefined;
    const tiles: Buffer[] = [];
    const tileLeaves = Buffer.alloc(tileWidth * 32);
    let inTile = 0;
    const chainInput = Buffer.alloc(65);
    chainInput[0] = 0x02;
    const node = Buffer.alloc(65);
    node[0] = 0x01;
    // crypto.hash (Node >= 20.12): one-shot digest, the fastest for short inputs.
    const digest = (data: Uint8Array): Buffer => hash(algorithm, data, 'buffer');
    for (;;) {
      const rows = stmt.all(next, task.to) as [number, number, string, string, string][];
      for (const [seq, ts, event, prevHex, storedHex] of rows) {
        // Leaf (RFC 9162 §2.1.1) of the entry text (events.ts entryText): H(0x00 || entry); the
        // U+0000 prefix is the single byte 0x00 in UTF-8.
        const leaf = hash(algorithm, `\u0000{"event":${event},"seq":${seq},"ts":${ts}}`, 'buffer');
        // Chain hash (hash-chain.ts): H(0x02 || prev || leaf).
        if (chainInput.write(prevHex, 1, 'hex') !== 32) anomalies += 1;
        leaf.copy(chainInput, 33);
        if (seq !== expected || hash(algorithm, chainInput, 'hex') !== storedHex || (prevHash !== undefined && prevHex !== prevHash)) anomalies += 1;
        if (firstPrev === undefined) firstPrev = prevHex;
        prevHash = storedHex;
        expected = seq + 1;
        count += 1;
        leaf.copy(tileLeaves, inTile * 32);
        inTile += 1;
        if (inTile === tileWidth) {
          tiles.push(tileRoot(tileLeaves, tileWidth, digest, node));
          inTile = 0;
        }
      }
      if (rows.length < page) break;
      next = (rows[rows.length - 1] as [number, number, string, string, string])[0] + 1;
    }
    db.exec('COMMIT');
    const toBuffer = (hex: string | undefined): Buffer | undefined => (hex === undefined ? undefined : Buffer.from(hex, 'hex'));
    return { from: task.from, count, anomalies, firstPrev: toBuffer(firstPrev), lastHash: toBuffer(prevHash), tiles };
  } finally {
    db.close();
  }
};

parentPort?.postMessage(run(workerData as RangeTask));
