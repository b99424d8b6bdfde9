// Audit log benchmark: appends (canonical JSON, chain, Merkle tiles, group commit) side by side
// with raw better-sqlite3 batched inserts of the same rows; verification; inclusion proofs at
// scale; bytes per event; SHA-256 vs SM3. Sizes: AUDIT_BENCH_EVENTS (default 1,000,000).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { canonicalize } from '../lib/canonical-json.js';
import { entryText, logHasher, openAuditLog, verifyInclusion, type DecisionEvent } from '../audit/index.js';
import { formatRate, latency, ratio, throughput } from './harness.js';

const total = Number(process.env.AUDIT_BENCH_EVENTS ?? 1_000_000);
const appendMs = Number(process.env.AUDIT_BENCH_MS ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'custos-audit-bench-'));

const event = (i: number): DecisionEvent => ({
  kind: 'decision',
  decisionId: `0190f4c4-6b1e-7a3c-9d2e-${String(i).padStart(12, '0')}`,
  subjectId: `doctor-${i % 997}`,
  subjectType: 'doctor',
  action: 'read',
  resourceType: 'medical_record',
  resourceId: `record-${i}`,
  patientId: `patient-${i % 10007}`,
  decision: i % 10 === 0 ? 'deny' : 'permit',
  reasons: ['rule-doctor-own-patients'],
  obligations: ['mask'],
  policyVersion: 'v12',
  purpose: 'treatment',
});
const sample = canonicalize(event(123456));
console.log(`event: ${Buffer.byteLength(sample)} bytes canonical JSON (row with seq, ts, prev, hash ≈ ${Buffer.byteLength(sample) + 80} bytes)`);

try {
  // 1. Raw better-sqlite3: same table shape, same pragmas, pre-serialized rows, batches of 1,000.
  const raw = new Database(join(dir, 'raw.db'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE entries (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, event TEXT NOT NULL, prev BLOB NOT NULL, hash BLOB NOT NULL) STRICT');
  const insert = raw.prepare('INSERT INTO entries (seq, ts, event, prev, hash) VALUES (?, ?, ?, ?, ?)');
  const rows = Array.from({ length: 1000 }, (_, i) => JSON.stringify(event(i)));
  const filler = Buffer.alloc(32, 1);
  let rawSeq = 0;
  const batch = raw.transaction(() => {
    for (const r of rows) insert.run(rawSeq++, 1_700_000_000_000, r, filler, filler);
  });
  const rawResult = throughput('raw better-sqlite3 insert, batches of 1,000 (rows/s)', () => {
    batch();
    return 1000;
  }, appendMs);
  raw.close();

  // 2. Ours: concurrent appends, group-committed.
  const log = openAuditLog({ file: join(dir, 'audit.db'), groupCommitMs: 1, maxBatch: 2000 });
  const inFlight = 2000;
  let n = 0;
  const appendRun = async (ms: number): Promise<number> => {
    const start = performance.now();
    let done = 0;
    const worker = async () => {
      while (performance.now() - start < ms) {
        await log.append(event(n++));
        done += 1;
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return (done * 1000) / (performance.now() - start);
  };
  await appendRun(300); // warm-up
  const appendRate = await appendRun(appendMs);
  console.log(`audit append, ${inFlight} concurrent, group commit (events/s): ${formatRate(appendRate)}`);
  ratio('audit append ÷ raw batched insert', appendRate, rawResult.opsPerSec);

  // Fill up to `total` events for the scale figures.
  const fillStart = performance.now();
  while (log.size < total) {
    const k = Math.min(5000, total - log.size);
    await Promise.all(Array.from({ length: k }, () => log.append(event(n++))));
  }
  console.log(`filled to ${formatRate(log.size)} events in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
  await log.checkpoint();
  console.log(`database bytes per event: ${(log.bytes() / log.size).toFixed(1)}`);

  // 3. Verification of the whole log: sequential (the locating pass) and in worker threads.
  const sequential = log.verify();
  const sequentialRate = (sequential.entries * 1000) / sequential.ms;
  console.log(`audit verify, sequential (chain + tiles + tree + checkpoints), ${formatRate(sequential.entries)} events: ${formatRate(sequentialRate)} events/s (ok=${sequential.ok})`);
  const parallel = await log.verifyParallel();
  const verifyRate = (parallel.entries * 1000) / parallel.ms;
  console.log(`audit verify, worker threads (${availableParallelism()} cores), ${formatRate(parallel.entries)} events: ${formatRate(verifyRate)} events/s (ok=${parallel.ok})`);
  ratio('audit verify ÷ 300,000 events/s target', verifyRate, 300_000);

  // 4. Proofs at scale.
  const size = log.size;
  const root = Buffer.from(log.root(size), 'hex');
  let k = 0;
  const pick = () => (k = (k * 7919 + 104729) % size);
  latency(`inclusion proof generation at ${formatRate(size)} events`, () => void log.inclusionProof(pick(), size), 2000);
  const proofs = Array.from({ length: 200 }, () => log.inclusionProof(pick(), size)).map((p) => ({ ...p, leaf: Buffer.from(p.leafHash, 'hex'), path: p.proof.map((h) => Buffer.from(h, 'hex')) }));
  let j = 0;
  latency(`inclusion proof verification at ${formatRate(size)} events`, () => {
    const p = proofs[j++ % proofs.length] as (typeof proofs)[number];
    if (!verifyInclusion(p.seq, size, p.leaf, p.path, root)) throw new Error('proof failed');
  }, 5000);
  await log.close();

  // 5. Hash cost of one record: SHA-256 vs SM3.
  const entry = Buffer.from(entryText(1, 1_700_000_000_000, sample));
  const sha = throughput('SHA-256 leaf hash of one entry (ops/s)', () => void logHasher('sha256').hashLeaf(entry), 500);
  const sm3 = throughput('SM3 leaf hash of one entry (ops/s)', () => void logHasher('sm3').hashLeaf(entry), 500);
  ratio('SM3 ÷ SHA-256 leaf hashing', sm3.opsPerSec, sha.opsPerSec);
  console.log('note: sidecar decision throughput with auditing on vs off is measured by the pdp benchmark (lead).');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
