import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditLog } from './audit-log.js';
import { writeBundle } from './bundle.js';
import { auditError } from './errors.js';
import { tileWidth } from './log-tree.js';

/** What `sealSegment` did. */
export interface SealResult {
  readonly sealed: boolean;
  readonly fromSeq: number;
  /** Exclusive end. */
  readonly toSeq: number;
  readonly archive?: string;
  readonly archiveDigest?: string;
}

const dayMs = 86_400_000;

/**
 * Retention by sealing, never by deleting rows in place (Cybersecurity Law art. 23 as amended,
 * in force 2026-01-01, art. 21 before: network logs kept at least six months). Entries older
 * than `olderThanDays` move, in whole 256-entry tiles, into an archive: a complete export
 * bundle with a fresh signed checkpoint and an inclusion proof per entry, fsynced, whose
 * SHA-256 is recorded in the append-only `seals` table before the rows leave the live database.
 * The tree's tile hashes stay, so roots, checkpoints and proofs over the whole history still
 * verify. Archives are kept by the operator at least as long as the retention period.
 *
 * @example
 * await sealSegment(log, { olderThanDays: 180, archiveDir: 'custos-data/audit/archive', now: Date.now() });
 */
export const sealSegment = async (
  log: AuditLog,
  options: { readonly olderThanDays: number; readonly archiveDir: string; readonly now: number },
): Promise<SealResult> => {
  if (!Number.isFinite(options.olderThanDays) || options.olderThanDays < 1) {
    throw auditError('ERR_AUDIT_SEAL', { message: 'olderThanDays must be at least 1' });
  }
  const store = log.store;
  const fromSeq = store.seals().at(-1)?.endSeq ?? 0;
  const last = store.lastSeqBefore(options.now - options.olderThanDays * dayMs);
  // Timestamps never decrease along the log, so every entry below `last` is old enough too.
  const toSeq = last === undefined ? fromSeq : Math.floor((last + 1) / tileWidth) * tileWidth;
  if (toSeq <= fromSeq) return Object.freeze({ sealed: false, fromSeq, toSeq: fromSeq });
  const checkpoint = await log.checkpoint();
  mkdirSync(options.archiveDir, { recursive: true });
  const archive = join(options.archiveDir, `audit-${String(fromSeq).padStart(12, '0')}-${String(toSeq).padStart(12, '0')}.jsonl`);
  const fd = openSync(archive, 'wx', 0o600);
  try {
    await writeBundle(log, {}, (line) => writeSync(fd, line), { checkpoint, range: { fromSeq, toSeq }, now: options.now });
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const archiveDigest = createHash('sha256').update(readFileSync(archive)).digest('hex');
  const lastRow = [...log.rows(toSeq - 1, toSeq)][0];
  if (lastRow === undefined) throw auditError('ERR_AUDIT_SEAL', { message: `entry ${toSeq - 1} is missing; verify the log before sealing` });
  log.recordSeal({ firstSeq: fromSeq, endSeq: toSeq, lastHash: lastRow.hash, archive, archiveDigest, time: options.now });
  await log.store.sync();
  return Object.freeze({ sealed: true, fromSeq, toSeq, archive, archiveDigest });
};
