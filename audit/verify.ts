import { performance } from 'node:perf_hooks';
import { openCheckpoint, type NoteVerifier } from './checkpoint.js';
import { chainHash, genesisHash, rowLeafHash } from './hash-chain.js';
import type { LogHasher } from './hashing.js';
import { tileWidth } from './log-tree.js';
import { createFrontier } from './merkle.js';
import type { StoredRow } from './store.js';
import type { Finding, FindingKind, VerifyReport } from './types.js';

/** Everything verification reads: rows in seq order, the stored tree and checkpoints. */
export interface VerifyInput {
  readonly hasher: LogHasher;
  readonly origin: string;
  /** First seq expected (the end of the last sealed segment, or 0). */
  readonly firstSeq: number;
  /** Chain hash the first live row must point to (the sealed segment's last hash, or zeros). */
  readonly firstPrev: Buffer;
  /** Tile hashes of the sealed part (indexes < firstSeq / 256), trusted via the checkpoints. */
  readonly sealedTiles: readonly Buffer[];
  readonly rows: () => Iterable<StoredRow>;
  readonly storedTiles: readonly Buffer[];
  /** Signed notes: the log's own, then any the auditor kept (marked external). */
  readonly checkpoints: readonly { readonly note: string; readonly external: boolean }[];
  readonly verifiers: readonly NoteVerifier[];
  readonly missingTriggers: readonly string[];
}

interface RowCheck {
  readonly seq: number;
  readonly prev: Buffer;
  readonly hash: Buffer;
  readonly selfOk: boolean;
  readonly linkOk: boolean;
  /** The seq the row's content was hashed with, when it differs from its seq (moved rows). */
  origin?: number;
}

const maxShift = 16;

/**
 * Recomputes the hash chain, the tiles and the Merkle tree over the rows, checks every
 * checkpoint's signature and root, and returns findings that locate and classify each
 * alteration: modified, deleted, inserted, reordered or renumbered rows, a truncated tail, a
 * forged checkpoint, missing append-only triggers.
 *
 * @example
 * const report = verifyEntries(input); // report.ok, report.findings
 */
export const verifyEntries = (input: VerifyInput): VerifyReport => {
  const started = performance.now();
  const { hasher } = input;
  const findings: Finding[] = [];
  const add = (kind: FindingKind, message: string, seq?: number, toSeq?: number): void => {
    findings.push(Object.freeze({ kind, message, ...(seq === undefined ? {} : { seq }), ...(toSeq === undefined || toSeq === seq ? {} : { toSeq }) }));
  };
  if (input.missingTriggers.length > 0) {
    add('triggers-missing', `append-only triggers were dropped: ${input.missingTriggers.join(', ')}`);
  }

  // Checkpoints first: which ones are authentic, and at which sizes the root must be checked.
  const heads: { size: number; root: string; external: boolean }[] = [];
  for (const cp of input.checkpoints) {
    try {
      const head = openCheckpoint(cp.note, input.verifiers);
      if (head.origin !== input.origin) {
        add('forged-checkpoint', `checkpoint for size ${head.size} names another log (origin mismatch)`, head.size);
        continue;
      }
      heads.push({ size: head.size, root: head.root, external: cp.external });
    } catch (error) {
      add('forged-checkpoint', `a ${cp.external ? 'saved' : 'stored'} checkpoint fails verification: ${(error as Error).message}`);
    }
  }
  heads.sort((a, b) => a.size - b.size);

  const tiles = createFrontier(hasher);
  for (const tile of input.sealedTiles) tiles.push(tile);
  let chunk = createFrontier(hasher);
  const checks: RowCheck[] = [];
  const anomalies: number[] = [];
  let position = input.firstSeq;
  let prevStored: Buffer = input.firstPrev;
  let entries = 0;
  let headIndex = 0;
  let lastGood = input.firstSeq;
  let lastSeq = input.firstSeq - 1;
  const rootNow = (): Buffer => foldRoots([...tiles.hashes(), ...chunk.hashes()], hasher);
  const checkHeadsAt = (size: number, root: () => Buffer): void => {
    while (headIndex < heads.length && (heads[headIndex] as { size: number }).size <= size) {
      const head = heads[headIndex] as { size: number; root: string; external: boolean };
      headIndex += 1;
      if (head.size < size) continue; // below the live rows (sealed part) or already passed
      if (root().toString('hex') !== head.root) {
        // Located between the last checkpoint that still matched and this one.
        add('checkpoint-mismatch', `the log's first ${head.size} entries no longer hash to the root of the ${head.external ? 'saved' : 'stored'} checkpoint for size ${head.size}; the change lies in seq ${lastGood}..${head.size - 1}`, lastGood, head.size - 1);
      } else {
        lastGood = head.size;
      }
    }
  };
  // Heads at or below the sealed boundary: check against the sealed tiles only.
  if (input.firstSeq > 0) checkHeadsAt(input.firstSeq, rootNow);
  else checkHeadsAt(0, () => hasher.emptyRoot());

  for (const row of input.rows()) {
    const leaf = rowLeafHash(hasher, row.seq, row.ts, row.event);
    const selfOk = chainHash(hasher, row.prev, leaf).equals(row.hash);
    const linkOk = row.prev.equals(prevStored);
    const gap = row.seq !== position;
    checks.push({ seq: row.seq, prev: row.prev, hash: row.hash, selfOk, linkOk });
    if (!selfOk || !linkOk || gap) anomalies.push(checks.length - 1);
    if (!selfOk) {
      const check = checks[checks.length - 1] as RowCheck;
      for (let d = 1; d <= maxShift && check.origin === undefined; d++) {
        for (const candidate of [row.seq + d, row.seq - d]) {
          if (candidate >= 0 && chainHash(hasher, row.prev, rowLeafHash(hasher, candidate, row.ts, row.event)).equals(row.hash)) {
            check.origin = candidate;
            break;
          }
        }
      }
    }
    chunk.push(leaf);
    entries += 1;
    position += 1;
    prevStored = row.hash;
    lastSeq = row.seq;
    if (chunk.size === tileWidth) {
      const tileRoot = chunk.root();
      const index = tiles.size;
      const stored = input.storedTiles[index];
      if (stored !== undefined && !stored.equals(tileRoot)) {
        add('tile-mismatch', `stored tree tile ${index} does not match the entries it covers`, index * tileWidth, index * tileWidth + tileWidth - 1);
      }
      tiles.push(tileRoot);
      chunk = createFrontier(hasher);
    }
    checkHeadsAt(position, rootNow);
  }
  // Heads beyond the rows read: a tail cut off after the last stored seq is truncation; heads
  // that fall short only because rows were removed in the middle are root mismatches.
  const end = Math.max(position, lastSeq + 1);
  for (; headIndex < heads.length; headIndex++) {
    const head = heads[headIndex] as { size: number; external: boolean };
    if (head.size <= end) {
      add('checkpoint-mismatch', `the ${head.external ? 'saved' : 'stored'} checkpoint for size ${head.size} covers more entries than the log holds (${position}); entries were removed in seq ${lastGood}..${head.size - 1}`, lastGood, head.size - 1);
    } else {
      add('truncated', `the log ends at seq ${end - 1} but a ${head.external ? 'saved' : 'stored'} checkpoint commits to size ${head.size}: entries ${end}..${head.size - 1} are missing`, end, head.size - 1);
    }
  }
  if (input.storedTiles.length > tiles.size) {
    add('truncated', `the store holds tree tiles beyond the last entry (tile ${tiles.size} onwards): entries were removed from the tail`, tiles.size * tileWidth);
  }

  classify(checks, anomalies, input.firstSeq, add);
  findings.sort((a, b) => (a.seq ?? -1) - (b.seq ?? -1));
  return Object.freeze({
    ok: findings.length === 0,
    algorithm: hasher.algorithm,
    entries,
    firstSeq: input.firstSeq,
    checkpointsChecked: heads.length,
    root: rootNow().toString('hex'),
    findings: Object.freeze(findings),
    ms: performance.now() - started,
  });
};

/** Root from a compact range (perfect subtree hashes, left to right). */
const foldRoots = (hashes: readonly Buffer[], hasher: LogHasher): Buffer => {
  if (hashes.length === 0) return hasher.emptyRoot();
  let root = hashes[hashes.length - 1] as Buffer;
  for (let i = hashes.length - 2; i >= 0; i--) root = hasher.hashChildren(hashes[i] as Buffer, root);
  return root;
};

/**
 * Turns row-level anomalies into located findings. Every row's content is bound to the seq it
 * was written with; a row that verifies under another seq was moved. Comparing the sequence of
 * original seqs with the stored one tells deletion (originals missing), insertion (extra rows
 * before an original), reordering (originals out of order) and modification (a row that
 * verifies under no seq, or whose hash was recomputed so that its successor no longer links).
 */
const classify = (
  checks: readonly RowCheck[],
  anomalies: readonly number[],
  firstSeq: number,
  add: (kind: FindingKind, message: string, seq?: number, toSeq?: number) => void,
): void => {
  if (anomalies.length === 0) return;
  const originOf = (c: RowCheck): number | undefined => (c.selfOk ? c.seq : c.origin);
  const seen = new Map<number, number>(); // original seq -> index in checks
  const present = new Set<number>();
  for (const c of checks) {
    const o = originOf(c);
    if (o !== undefined) present.add(o);
  }
  let expected = firstSeq;
  let modifiedRun: number[] = [];
  const flushModified = () => {
    if (modifiedRun.length > 0) {
      add('modified', 'entry content no longer matches its hash (event, time or seq edited)', modifiedRun[0], modifiedRun[modifiedRun.length - 1]);
      modifiedRun = [];
    }
  };
  let renumbered: number[] = [];
  let reorderUntil = -1;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i] as RowCheck;
    const o = originOf(c);
    if (o === undefined) {
      modifiedRun.push(c.seq);
      expected += 1;
      continue;
    }
    if (o === expected) {
      // in place; a hash recomputed by the editor shows as a broken link to the next row
    } else if (o > expected) {
      const missing: number[] = [];
      for (let m = expected; m < o && missing.length < 1_000_000; m++) if (!present.has(m)) missing.push(m);
      if (missing.length < o - expected || reorderUntil >= o) {
        add('reordered', `entry written as seq ${o} now stands at seq ${c.seq}, before entries written earlier`, c.seq);
        reorderUntil = Math.max(reorderUntil, o);
      }
      if (missing.length > 0) {
        const which = missing.length === 1 ? `the entry written as seq ${missing[0]} is` : `${missing.length} entries written as seq ${missing[0]}..${missing[missing.length - 1]} are`;
        add('deleted', `${which} missing (before stored seq ${c.seq})`, missing[0], missing[missing.length - 1]);
        for (const m of missing) present.add(m);
      }
    } else if (seen.has(o)) {
      const firstIndex = seen.get(o) as number;
      const from = (checks[firstIndex] as RowCheck).seq;
      modifiedRun = modifiedRun.filter((s) => s < from);
      add('inserted', `entries at seq ${from}..${c.seq - 1} were inserted: the entry written as seq ${o} now stands at seq ${c.seq}`, from, c.seq - 1);
    } else if (reorderUntil >= o || o < expected) {
      if (modifiedRun.length >= expected - o && modifiedRun.length > 0 && reorderUntil < o) {
        const inserted = modifiedRun.slice(modifiedRun.length - (expected - o));
        modifiedRun = modifiedRun.slice(0, modifiedRun.length - (expected - o));
        add('inserted', `entries at seq ${inserted[0]}..${inserted[inserted.length - 1]} were inserted before the entry written as seq ${o}`, inserted[0], inserted[inserted.length - 1]);
      } else {
        add('reordered', `entry written as seq ${o} now stands at seq ${c.seq}, after entries written later`, c.seq);
      }
    }
    flushModified();
    if (o !== c.seq) renumbered.push(c.seq);
    if (!seen.has(o)) seen.set(o, i);
    expected = Math.max(expected, o + 1);
    // A link broken between two rows that each verify: the earlier row was rewritten with a
    // recomputed hash (or the chain was spliced there).
    if (!c.linkOk && c.selfOk && i > 0) {
      const before = checks[i - 1] as RowCheck;
      const beforeO = originOf(before);
      if (before.selfOk && beforeO === o - 1) {
        add('modified', `entry at seq ${before.seq} was rewritten with a recomputed hash: the next entry no longer links to it`, before.seq);
      }
    }
  }
  flushModified();
  if (renumbered.length > 0) {
    add('renumbered', `${renumbered.length} entries carry a seq other than the one they were written with`, renumbered[0], renumbered[renumbered.length - 1]);
  }
  renumbered = [];
};

/** The starting chain hash for a log without sealed segments. */
export const initialPrev = (): Buffer => Buffer.from(genesisHash);
