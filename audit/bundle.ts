import { performance } from 'node:perf_hooks';
import { canonicalize } from '../lib/canonical-json.js';
import type { AuditLog } from './audit-log.js';
import { openCheckpoint, parseVerifierKey, type NoteVerifier } from './checkpoint.js';
import { auditError } from './errors.js';
import { entryText } from './events.js';
import { chainHash } from './hash-chain.js';
import { logHasher } from './hashing.js';
import { verifyInclusion } from './merkle.js';
import type { AuditQuery, Checkpoint, Finding, FindingKind, HashAlgorithm } from './types.js';

/** Format tag of the first line of an export bundle. */
export const bundleFormat = 'custos-audit-bundle/1';

const maxLineBytes = 1024 * 1024;

/** The first line of a bundle. Informational except `algorithm`; trust comes from the checkpoint. */
export interface BundleHeader {
  readonly type: 'header';
  readonly format: typeof bundleFormat;
  readonly origin: string;
  readonly algorithm: HashAlgorithm;
  /** The log's key as recorded in the log: an auditor should compare it with their own copy. */
  readonly verifierKey: string | undefined;
  readonly exportedAt: number;
  readonly query: AuditQuery;
  /** Set when the bundle holds every entry with fromSeq <= seq < toSeq (no filter): gaps are then deletions. */
  readonly complete?: { readonly fromSeq: number; readonly toSeq: number };
}

/**
 * Writes an export bundle as JSON Lines: a header, the signed checkpoint the proofs refer to,
 * then one line per entry with its event, chain hashes and RFC 9162 inclusion proof. With an
 * empty query (or only `afterSeq`/`to`-free seq ranges) the bundle is marked complete.
 *
 * @example
 * await writeBundle(log, { patientId: 'p-1' }, (line) => out.write(line));
 */
export const writeBundle = async (
  log: AuditLog,
  query: AuditQuery,
  write: (line: string) => void,
  options: { readonly checkpoint?: Checkpoint; readonly range?: { fromSeq: number; toSeq: number }; readonly now?: number } = {},
): Promise<{ readonly entries: number; readonly checkpoint: Checkpoint }> => {
  const checkpoint = options.checkpoint ?? (await log.checkpoint());
  const isComplete = options.range !== undefined || Object.keys(query).filter((k) => k !== 'limit').length === 0;
  const range = options.range ?? { fromSeq: log.seals().at(-1)?.endSeq ?? 0, toSeq: checkpoint.size };
  const header: BundleHeader = {
    type: 'header',
    format: bundleFormat,
    origin: log.origin,
    algorithm: log.algorithm,
    verifierKey: log.verifierKey,
    exportedAt: options.now ?? checkpoint.time,
    query,
    ...(isComplete ? { complete: range } : {}),
  };
  write(`${JSON.stringify(header)}\n`);
  write(`${JSON.stringify({ type: 'checkpoint', note: checkpoint.note })}\n`);
  let entries = 0;
  const emit = (seq: number, ts: number, eventJson: string, prev: Buffer, hash: Buffer): void => {
    const proof = log.inclusionProof(seq, checkpoint.size).proof;
    write(`{"type":"entry","seq":${seq},"ts":${ts},"event":${eventJson},"prevHash":"${prev.toString('hex')}","hash":"${hash.toString('hex')}","proof":${JSON.stringify(proof)}}\n`);
    entries += 1;
  };
  if (isComplete) {
    for (const row of log.rows(range.fromSeq, Math.min(range.toSeq, checkpoint.size))) emit(row.seq, row.ts, row.event, row.prev, row.hash);
  } else {
    let afterSeq = query.afterSeq ?? -1;
    const limit = query.limit ?? Number.MAX_SAFE_INTEGER;
    while (entries < limit) {
      const page = log.query({ ...query, afterSeq, limit: Math.min(10_000, limit - entries) }).filter((e) => e.seq < checkpoint.size);
      if (page.length === 0) break;
      for (const e of page) emit(e.seq, e.ts, canonicalize(e.event), Buffer.from(e.prevHash, 'hex'), Buffer.from(e.hash, 'hex'));
      afterSeq = (page[page.length - 1] as { seq: number }).seq;
    }
  }
  return { entries, checkpoint };
};

/** The result of checking a bundle offline. */
export interface BundleReport {
  readonly ok: boolean;
  readonly origin: string | undefined;
  readonly algorithm: HashAlgorithm | undefined;
  readonly treeSize: number | undefined;
  readonly entries: number;
  /** `given`: checked with the auditor's key; `bundle`: with the key the bundle names (weaker). */
  readonly trustedKey: 'given' | 'bundle';
  readonly findings: readonly Finding[];
  readonly ms: number;
}

/**
 * Verifies an export bundle without the database: the checkpoint's signature, each entry's
 * inclusion proof against it, the chain hash of each entry and the links between consecutive
 * entries, and, for complete bundles, that no seq is missing.
 *
 * @example
 * const report = verifyBundle(readFileSync('export.jsonl', 'utf8'), { verifierKeys: [key] });
 */
export const verifyBundle = (text: string, options: { readonly verifierKeys?: readonly string[] } = {}): BundleReport => {
  const started = performance.now();
  const findings: Finding[] = [];
  const add = (kind: FindingKind, message: string, seq?: number, toSeq?: number): void => {
    findings.push(Object.freeze({ kind, message, ...(seq === undefined ? {} : { seq }), ...(toSeq === undefined || toSeq === seq ? {} : { toSeq }) }));
  };
  const lines = text.split('\n').filter((l) => l.length > 0);
  const parse = (line: string, n: number): Record<string, unknown> => {
    if (line.length > maxLineBytes) throw auditError('ERR_AUDIT_BUNDLE', { message: `bundle line ${n} is too long`, at: { file: 'bundle', line: n } });
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('not an object');
      return value as Record<string, unknown>;
    } catch (cause) {
      throw auditError('ERR_AUDIT_BUNDLE', { message: `bundle line ${n} is not a JSON object`, at: { file: 'bundle', line: n }, cause });
    }
  };
  const header = parse(lines[0] ?? '', 1);
  if (header.type !== 'header' || header.format !== bundleFormat) {
    throw auditError('ERR_AUDIT_BUNDLE', { message: `not a ${bundleFormat} file`, hint: 'export one with `custos audit export`' });
  }
  const algorithm = header.algorithm === 'sm3' ? 'sm3' : header.algorithm === 'sha256' ? 'sha256' : undefined;
  if (algorithm === undefined) throw auditError('ERR_AUDIT_BUNDLE', { message: 'bundle header names no known hash algorithm' });
  const hasher = logHasher(algorithm);
  const keys = options.verifierKeys ?? (typeof header.verifierKey === 'string' ? [header.verifierKey] : []);
  // A malformed key given by the auditor is their error (thrown); one taken from the bundle is a finding.
  const verifiers: NoteVerifier[] = options.verifierKeys !== undefined ? keys.map((k) => parseVerifierKey(k)) : [];
  if (options.verifierKeys === undefined) {
    try {
      verifiers.push(...keys.map((k) => parseVerifierKey(k)));
    } catch (error) {
      add('forged-checkpoint', `the bundle's own verifier key is malformed: ${(error as Error).message}`);
    }
  }
  const cpLine = parse(lines[1] ?? '', 2);
  let checkpoint: Checkpoint | undefined;
  try {
    if (cpLine.type !== 'checkpoint' || typeof cpLine.note !== 'string') throw auditError('ERR_AUDIT_BUNDLE', { message: 'second line must be the checkpoint' });
    checkpoint = openCheckpoint(cpLine.note, verifiers);
    if (checkpoint.origin !== header.origin) add('forged-checkpoint', 'the checkpoint names another log than the bundle header');
  } catch (error) {
    add('forged-checkpoint', `the bundle's checkpoint fails verification: ${(error as Error).message}`);
  }
  let entries = 0;
  let previous: { seq: number; hash: string } | undefined;
  const seen: number[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = parse(lines[i] as string, i + 1);
    const seq = line.seq;
    const ts = line.ts;
    if (line.type !== 'entry' || !Number.isSafeInteger(seq) || !Number.isSafeInteger(ts) || typeof line.prevHash !== 'string' || typeof line.hash !== 'string' || !Array.isArray(line.proof)) {
      add('malformed', `bundle line ${i + 1} is not a well-formed entry`);
      continue;
    }
    const n = seq as number;
    entries += 1;
    seen.push(n);
    let eventJson: string;
    try {
      eventJson = canonicalize(line.event);
    } catch {
      add('malformed', `entry ${n} holds an event that has no canonical JSON form`, n);
      continue;
    }
    const leaf = hasher.hashLeaf(Buffer.from(entryText(n, ts as number, eventJson), 'utf8'));
    const prev = Buffer.from(line.prevHash, 'hex');
    if (!chainHash(hasher, prev, leaf).equals(Buffer.from(line.hash, 'hex'))) add('modified', `entry ${n} does not match its chain hash`, n);
    if (checkpoint !== undefined) {
      const proof = (line.proof as unknown[]).map((p) => (typeof p === 'string' && /^[0-9a-f]{64}$/u.test(p) ? Buffer.from(p, 'hex') : Buffer.alloc(0)));
      if (!verifyInclusion(n, checkpoint.size, leaf, proof, Buffer.from(checkpoint.root, 'hex'), hasher)) {
        add('modified', `entry ${n} is not included in the signed checkpoint (size ${checkpoint.size}): the entry or its proof was altered`, n);
      }
    }
    if (previous !== undefined) {
      if (n <= previous.seq) add('reordered', `entry ${n} follows entry ${previous.seq}`, n);
      else if (n === previous.seq + 1 && previous.hash !== line.prevHash) add('chain-broken', `entry ${n} does not link to entry ${previous.seq}`, n);
    }
    previous = { seq: n, hash: line.hash };
  }
  const complete = header.complete as { fromSeq?: unknown; toSeq?: unknown } | undefined;
  if (complete !== undefined && Number.isSafeInteger(complete.fromSeq) && Number.isSafeInteger(complete.toSeq)) {
    const present = new Set(seen);
    let runStart = -1;
    for (let s = complete.fromSeq as number; s <= (complete.toSeq as number); s++) {
      const missing = s < (complete.toSeq as number) && !present.has(s);
      if (missing && runStart < 0) runStart = s;
      if (!missing && runStart >= 0) {
        add(s === complete.toSeq && entries > 0 ? 'truncated' : 'deleted', `entries ${runStart}..${s - 1} are missing from a complete export`, runStart, s - 1);
        runStart = -1;
      }
    }
  }
  findings.sort((a, b) => (a.seq ?? -1) - (b.seq ?? -1));
  return Object.freeze({
    ok: findings.length === 0,
    origin: typeof header.origin === 'string' ? header.origin : undefined,
    algorithm,
    treeSize: checkpoint?.size,
    entries,
    trustedKey: options.verifierKeys === undefined ? 'bundle' : 'given',
    findings: Object.freeze(findings),
    ms: performance.now() - started,
  });
};
