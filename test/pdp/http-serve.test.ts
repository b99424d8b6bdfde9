// `custos serve` end to end: the compiled CLI starts the sidecar on the hospital example with
// SQLite under the data dir, takes --port/--data-dir and CUSTOS_* settings, answers, and shuts
// down gracefully on SIGTERM (in-flight requests finished, audit log and buffered logs flushed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post, repoRoot } from './http-harness.js';

const main = join(repoRoot, 'dist', 'cli', 'main.js');

test('custos serve starts on the hospital example, decides, and stops cleanly on SIGTERM', { skip: existsSync(main) ? false : 'build first (npm test does): dist/cli/main.js is missing', timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-serve-'));
  const child = spawn(process.execPath, [main, '--lang', 'en', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: repoRoot,
    env: { ...process.env, CUSTOS_HOST: '127.0.0.1', CUSTOS_LOG_LEVEL: 'info', CUSTOS_LOG_FORMAT: 'json', CUSTOS_POLICY_WATCH: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    let url: string | undefined;
    for (let i = 0; i < 150 && url === undefined; i++) {
      url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(url, `no listening line in:\n${output}`);
    const r = await post(`${url}/access/v1/evaluation`, {
      subject: { type: 'user', id: 'd001' },
      action: { name: 'read' },
      resource: { type: 'emr', id: 'e001' },
      context: { purpose: 'treatment' },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { decision: boolean }).decision, true);
    assert.ok(existsSync(join(dataDir, 'entities.db')), 'the entity store lives in the data dir');
    assert.ok(existsSync(join(dataDir, 'audit', 'audit.db')), 'the audit log is the one `custos audit` reads: <dataDir>/audit/audit.db');
    assert.ok(!existsSync(join(dataDir, 'audit.db')), 'no second audit log at the old place');
    // The sidecar's logs are buffered (asynchronous, 4 KiB): the request line is not out yet…
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!output.includes('"msg":"request"'), 'request logs are buffered, not written synchronously');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    // …and graceful shutdown flushes it.
    assert.match(output, /decision point stopped/);
    const requestLines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    assert.equal(requestLines.length, 1, output);
    // Request logs carry ids, codes and timings, not request content or personal data.
    const line = requestLines[0]!;
    assert.equal(line.route, '/access/v1/evaluation');
    assert.equal(line.status, 200);
    assert.equal(line.decisions, 1);
    assert.equal(typeof line.requestId, 'string');
    assert.equal(typeof line.ms, 'number');
    for (const value of ['treatment', 'd001', 'e001', 'p001', 'cardiology']) assert.ok(!JSON.stringify(line).includes(value), `"${value}" is not logged`);
    assert.ok(!output.includes('treatment'), 'no request content in the logs');
    // The auditor's CLI reads the log the sidecar wrote (PIPL art. 45: who accessed p001's data).
    const query = spawnSync(process.execPath, [main, '--json', '--data-dir', dataDir, 'audit', 'query', '--patient', 'p001'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(query.status, 0, query.stderr);
    const entries = JSON.parse(query.stdout) as { event: { kind: string; subjectId: string; resourceId: string; patientId?: string } }[];
    assert.deepEqual(
      entries.map((e) => [e.event.kind, e.event.subjectId, e.event.resourceId, e.event.patientId]),
      [['decision', 'd001', 'e001', 'p001']],
    );
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
