// Audit log benchmark: appends (canonical JSON, chain, Merkle tiles, group commit) side by side
// with raw better-sqlite3 batched inserts of the same rows; verification; inclusion proofs at
// scale; bytes per event; SHA-256 vs SM3; and first the price of auditing for the sidecar:
// the real sidecar (`custos serve`, hospital example) with the audit log on and off, under
// autocannon at 10 connections, in alternating rounds (best of each, the machine is shared).
// Sizes: AUDIT_BENCH_EVENTS (default 1,000,000); AUDIT_BENCH_SIDECAR_ROUNDS (default 3, 0 skips);
// AUDIT_BENCH_ONLY=sidecar runs only that cell; AUDIT_BENCH_ONLY=append stops after the append ratio.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { canonicalize } from '../lib/canonical-json.js';
import type * as auditModule from '../audit/index.js';
import { entryText, logHasher, openAuditLog, verifyInclusion, type DecisionEvent } from '../audit/index.js';
import { formatRate, latency, ratio, throughput } from './harness.js';

// autocannon ships no type declarations: describe the part we use.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<{
  readonly requests: { readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}>;
const repoRoot = join(import.meta.dirname, '..');

/** Starts `custos serve` on a free loopback port; resolves with its URL. */
const startSidecar = (dataDir: string, audit: boolean, children: ChildProcess[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli', 'main.ts'), '--lang', 'en', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
      cwd: repoRoot,
      env: { ...process.env, CUSTOS_LOG_LEVEL: 'warn', CUSTOS_AUDIT_ENABLED: String(audit), CUSTOS_POLICY_WATCH: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`sidecar did not start:\n${output.slice(-2000)}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sidecar exited with ${code}:\n${output.slice(-2000)}`));
    });
  });

type AuditModule = typeof auditModule;

/** The compiled audit module, when dist/ holds a build at least as new as every audit source. */
const compiledAudit = async (): Promise<AuditModule | undefined> => {
  const distDir = join(repoRoot, 'dist', 'audit');
  const sources = readdirSync(join(repoRoot, 'audit'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const newestSource = Math.max(...sources.map((f) => statSync(join(repoRoot, 'audit', f)).mtimeMs));
  const built = sources.map((f) => join(distDir, f.replace(/\.ts$/, '.js')));
  if (!built.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestSource)) return undefined;
  return (await import(pathToFileURL(join(distDir, 'index.js')).href)) as AuditModule;
};

/** Decisions/s of the sidecar with the audit log on vs off (10 connections, alternating rounds). */
const sidecarCell = async (rounds: number, seconds: number): Promise<void> => {
  const children: ChildProcess[] = [];
  const body = JSON.stringify({ subject: { type: 'user', id: 'd001' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { purpose: 'treatment' } });
  try {
    const off = await startSidecar(join(dir, 'sidecar-off'), false, children);
    const on = await startSidecar(join(dir, 'sidecar-on'), true, children);
    for (const url of [off, on]) {
      const answer = (await (await fetch(`${url}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as { decision?: unknown };
      if (answer.decision !== true) throw new Error(`the benchmark request is not permitted: ${JSON.stringify(answer)}`);
    }
    const best = { on: 0, off: 0 };
    for (let round = 0; round < rounds; round++) {
      for (const [label, url] of (round % 2 === 0 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) as ['on' | 'off', string][]) {
        const r = await autocannon({ url: `${url}/access/v1/evaluation`, method: 'POST', connections: 10, duration: seconds, headers: { 'content-type': 'application/json' }, body });
        const errors = r.non2xx + r.errors;
        console.log(`sidecar decisions/s, audit ${label}, c=10, round ${round + 1}: ${formatRate(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${errors ? `, ${errors} errors/non-2xx` : ''}`);
        best[label] = Math.max(best[label], r.requests.average);
      }
    }
    ratio('sidecar decisions/s audit on / audit off (target >= 0.9)', best.on, best.off);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  }
};

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

bench: try {
  const sidecarRounds = Number(process.env.AUDIT_BENCH_SIDECAR_ROUNDS ?? 3);
  if (sidecarRounds > 0) await sidecarCell(sidecarRounds, Number(process.env.AUDIT_BENCH_SIDECAR_SECONDS ?? 3));
  if (process.env.AUDIT_BENCH_ONLY === 'sidecar') break bench;
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
  if (process.env.AUDIT_BENCH_ONLY === 'append') {
    await log.close();
    break bench;
  }

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
  // The product runs from dist/, where the workers are plain JavaScript; under tsx each worker
  // first registers tsx. Use the compiled module when dist/ is at least as new as the sources.
  const compiled = await compiledAudit();
  const verifier = compiled === undefined ? log : compiled.openAuditLog({ file: log.file, readonly: true });
  let best: { entries: number; ms: number; ok: boolean } | undefined;
  for (let round = 0; round < 3; round++) {
    const r = await verifier.verifyParallel();
    if (best === undefined || r.ms < best.ms) best = r;
  }
  if (verifier !== log) await verifier.close();
  const parallel = best as { entries: number; ms: number; ok: boolean };
  const verifyRate = (parallel.entries * 1000) / parallel.ms;
  console.log(`audit verify, worker threads (${availableParallelism()} cores, ${compiled === undefined ? 'tsx workers: dist/ missing or older than the sources' : 'compiled dist/ workers'}, best of 3), ${formatRate(parallel.entries)} events: ${formatRate(verifyRate)} events/s (ok=${parallel.ok})`);
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
} finally {
  rmSync(dir, { recursive: true, force: true });
}
