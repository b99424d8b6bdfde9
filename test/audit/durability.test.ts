import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openAuditLog } from '../../audit/index.js';
import { tempDir } from './helpers.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const writer = join(repoRoot, 'test', 'fixtures', 'audit', 'writer.ts');
// Bursts of ≥ 256 appends: batches committed by the writer thread.
const burstWriter = join(repoRoot, 'test', 'audit', 'fixtures', 'burst-writer.ts');

interface Run {
  readonly acks: Map<number, string>;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
  onAcks(n: number): Promise<void>;
}

const startWriter = (file: string, count: number, tag: string, burst?: number): Run => {
  const args = burst === undefined ? [writer, file, String(count), tag] : [burstWriter, file, String(count), tag, String(burst)];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const acks = new Map<number, string>();
  const waiters: { n: number; resolve: () => void }[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^ack (\d+) ([0-9a-f]{64})$/.exec(line);
      if (m) acks.set(Number(m[1]), m[2] as string);
    }
    for (const w of waiters.filter((x) => acks.size >= x.n)) w.resolve();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    acks,
    done,
    kill: () => child.kill('SIGKILL'),
    onAcks: (n) => new Promise<void>((resolve) => (acks.size >= n ? resolve() : waiters.push({ n, resolve }))),
  };
};

test('kill -9 of a writing process loses no acknowledged event and leaves a verifiable log', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const run = startWriter(file, 1_000_000, 'crash');
    await Promise.race([run.onAcks(3000), run.done]);
    run.kill();
    const exit = await run.done;
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(run.acks.size >= 3000);
    const log = openAuditLog({ file, readonly: true });
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    const stored = new Map([...log.rows()].map((r) => [r.seq, r.hash.toString('hex')]));
    for (const [seq, hash] of run.acks) assert.equal(stored.get(seq), hash, `acknowledged seq ${seq} missing or different after the crash`);
    assert.ok(stored.size >= run.acks.size);
    await log.close();
    // The next writer continues the chain where the crashed one stopped.
    const next = openAuditLog({ file });
    const r = await next.append({ kind: 'admin', operation: 'after-crash', result: 'success' });
    assert.equal(r.seq, stored.size);
    assert.equal(next.verify().ok, true);
    await next.close();
  } finally {
    cleanup();
  }
});

test('two processes appending to one file concurrently produce one valid chain with every event', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    await openAuditLog({ file }).close(); // create the log (and its key) before the race
    const a = startWriter(file, 1500, 'a');
    const b = startWriter(file, 1500, 'b');
    const [ea, eb] = await Promise.all([a.done, b.done]);
    assert.equal(ea.code, 0);
    assert.equal(eb.code, 0);
    const log = openAuditLog({ file, readonly: true });
    assert.equal(log.size, 3000);
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    const seqs = new Set([...a.acks.keys(), ...b.acks.keys()]);
    assert.equal(seqs.size, 3000);
    assert.equal(log.query({ limit: 5000 }).filter((e) => e.event.kind === 'admin' && e.event.operation === 'writer-a').length, 1500);
    await log.close();
  } finally {
    cleanup();
  }
});

test('writer thread: kill -9 mid-burst loses no acknowledged event and leaves a verifiable log with its tiles', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    const run = startWriter(file, 1_000_000, 'crash', 1000);
    await Promise.race([run.onAcks(5000), run.done]);
    run.kill();
    const exit = await run.done;
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(run.acks.size >= 5000);
    const log = openAuditLog({ file, readonly: true });
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    const stored = new Map([...log.rows()].map((r) => [r.seq, r.hash.toString('hex')]));
    for (const [seq, hash] of run.acks) assert.equal(stored.get(seq), hash, `acknowledged seq ${seq} missing or different after the crash`);
    await log.close();
    // The next writer (a burst again, through its own thread) continues chain and tiles.
    const next = openAuditLog({ file });
    const more = await Promise.all(Array.from({ length: 700 }, (_, i) => next.append({ kind: 'admin', operation: 'after-crash', target: `t-${i}`, result: 'success' })));
    assert.deepEqual(more.map((r) => r.seq), Array.from({ length: 700 }, (_, i) => stored.size + i));
    const after = next.verify();
    assert.equal(after.ok, true, JSON.stringify(after.findings));
    const p = next.inclusionProof(stored.size + 3);
    assert.equal(p.treeSize, stored.size + 700);
    await next.close();
  } finally {
    cleanup();
  }
});

test('writer thread: two processes, one in bursts (thread) and one inline, produce one valid chain with every event', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'audit.db');
    await openAuditLog({ file }).close();
    const a = startWriter(file, 3000, 'a', 600);
    const b = startWriter(file, 1500, 'b');
    const [ea, eb] = await Promise.all([a.done, b.done]);
    assert.equal(ea.code, 0);
    assert.equal(eb.code, 0);
    const log = openAuditLog({ file, readonly: true });
    assert.equal(log.size, 4500);
    const report = log.verify();
    assert.equal(report.ok, true, JSON.stringify(report.findings));
    const stored = new Map([...log.rows()].map((r) => [r.seq, r.hash.toString('hex')]));
    for (const [seq, hash] of [...a.acks, ...b.acks]) assert.equal(stored.get(seq), hash);
    assert.equal(new Set([...a.acks.keys(), ...b.acks.keys()]).size, 4500);
    await log.close();
  } finally {
    cleanup();
  }
});
