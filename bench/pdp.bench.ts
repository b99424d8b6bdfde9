// The sidecar under load, on loopback, with autocannon: single evaluations and batches of 50 at
// 1, 10 and 50 connections, side by side with a raw node:http JSON echo (the limit for any Node
// server), a bare express JSON echo (the ceiling for this stack) and the Cerbos PDP binary with
// an equivalent policy. Every server runs in its own child process; autocannon runs here.
// Figures on a shared 2-core machine are noisy: compare the ratios, not the absolute numbers.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { formatRate, ratio } from './harness.js';

// autocannon ships no type declarations: describe the part we use.
interface AutocannonResult {
  readonly requests: { readonly average: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly non2xx: number;
  readonly errors: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;

const root = join(import.meta.dirname, '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connectionsList = (process.env.BENCH_CONNECTIONS ?? '1,10,50').split(',').map(Number);
const children: ChildProcess[] = [];
const temp = mkdtempSync(join(tmpdir(), 'custos-bench-pdp-'));

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Spawns a server and waits until a line of its output matches `ready`; returns the match. */
const start = (name: string, command: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.slice(-2000)}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] ?? '');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });

const rawEcho = `
const http = require('node:http');
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  });
});
s.keepAliveTimeout = 5000;
s.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));`;

const expressEcho = `
const express = require('express');
const app = express();
app.use(express.json());
app.post('/echo', (req, res) => res.json(req.body));
const s = app.listen(0, '127.0.0.1', () => console.log('listening ' + s.address().port));`;

interface Cell {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
}

const load = async (label: string, url: string, body: string, connections: number, headers: Record<string, string> = {}): Promise<Cell> => {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const cell = { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
  console.log(`${label} c=${connections}: ${formatRate(cell.rps)} req/s, p50 ${cell.p50} ms, p99 ${cell.p99} ms${cell.non2xx ? `, ${cell.non2xx} errors/non-2xx` : ''}`);
  return cell;
};

// The benchmark request: a doctor reads a medical record of the hospital example. The sidecar
// looks the subject and the record up in its entity store; Cerbos gets the same facts inline
// (it has no entity store), which favours Cerbos slightly.
const custosRequest = JSON.parse(readFileSync(join(import.meta.dirname, 'cerbos', 'custos-request.json'), 'utf8')) as {
  allow: Record<string, unknown>;
  cerbos: Record<string, unknown>;
};

const custosSingle = JSON.stringify(custosRequest.allow);
const custosBatch = JSON.stringify({
  subject: (custosRequest.allow as { subject: unknown }).subject,
  action: (custosRequest.allow as { action: unknown }).action,
  evaluations: Array.from({ length: 50 }, () => ({ resource: (custosRequest.allow as { resource: unknown }).resource })),
});
const cerbosSingle = JSON.stringify(custosRequest.cerbos);
const cerbosBatch = JSON.stringify({
  ...custosRequest.cerbos,
  resources: Array.from({ length: 50 }, (_, i) => ({ ...(custosRequest.cerbos.resources as Record<string, unknown>[])[0], resource: { ...((custosRequest.cerbos.resources as { resource: Record<string, unknown> }[])[0]!.resource), id: `r${i}` } })),
});

const main = async (): Promise<void> => {
  const rawPort = await start('raw echo', process.execPath, ['-e', rawEcho], /listening (\d+)/);
  const expressPort = await start('express echo', process.execPath, ['-e', expressEcho], /listening (\d+)/);

  const policyDir = join(temp, 'cerbos-policies');
  cpSync(join(import.meta.dirname, 'cerbos', 'policies'), policyDir, { recursive: true });
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const cerbosConfig = readFileSync(join(import.meta.dirname, 'cerbos', 'config.yaml'), 'utf8')
    .replace('__HTTP_PORT__', String(httpPort))
    .replace('__GRPC_PORT__', String(grpcPort))
    .replace('__POLICY_DIR__', policyDir);
  writeFileSync(join(temp, 'cerbos.yaml'), cerbosConfig);
  const cerbosBin = join(root, 'node_modules', '@cerbos', 'cerbos-linux-x64', 'cerbos-linux-x64');
  await start('cerbos', cerbosBin, ['server', `--config=${join(temp, 'cerbos.yaml')}`], /(Starting HTTP server|HTTP server started|Starting gRPC server)/, { CERBOS_NO_TELEMETRY: '1' });
  // Cerbos logs readiness before its HTTP listener accepts: wait for a 200 on its health check.
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${httpPort}/_cerbos/health`)).ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const custosUrl = await start(
    'custos',
    process.execPath,
    ['--import', 'tsx', join(root, 'cli', 'main.ts'), '--lang', 'en', 'serve', '--port', '0', '--data-dir', join(temp, 'custos-data')],
    /listening on (http:\/\/\S+)/,
    { CUSTOS_LOG_LEVEL: 'warn', CUSTOS_AUDIT_ENABLED: 'false', CUSTOS_POLICY_WATCH: 'false' },
  );

  // The same sidecar with the audit log on: every answer waits for its event's group commit.
  const auditedUrl = await start(
    'custos (audit on)',
    process.execPath,
    ['--import', 'tsx', join(root, 'cli', 'main.ts'), '--lang', 'en', 'serve', '--port', '0', '--data-dir', join(temp, 'custos-audited')],
    /listening on (http:\/\/\S+)/,
    { CUSTOS_LOG_LEVEL: 'warn', CUSTOS_AUDIT_ENABLED: 'true', CUSTOS_POLICY_WATCH: 'false' },
  );

  // Answers must be right before they are fast.
  const check = await (await fetch(`${custosUrl}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: custosSingle })).json() as { decision: boolean };
  const cerbosCheck = await (await fetch(`http://127.0.0.1:${httpPort}/api/check/resources`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: cerbosSingle })).json() as { results: { actions: Record<string, string> }[] };
  if (check.decision !== true || cerbosCheck.results[0]?.actions.read !== 'EFFECT_ALLOW') {
    throw new Error(`benchmark requests do not permit: custos ${JSON.stringify(check)} cerbos ${JSON.stringify(cerbosCheck)}`);
  }

  const at10: Record<string, Cell> = {};
  for (const c of connectionsList) {
    console.log(`-- ${c} connection${c === 1 ? '' : 's'}, ${seconds} s per cell`);
    const raw = await load('raw node:http echo', `http://127.0.0.1:${rawPort}/echo`, custosSingle, c);
    const echo = await load('express echo', `http://127.0.0.1:${expressPort}/echo`, custosSingle, c);
    const cerbos = await load('cerbos single', `http://127.0.0.1:${httpPort}/api/check/resources`, cerbosSingle, c);
    const single = await load('custos single', `${custosUrl}/access/v1/evaluation`, custosSingle, c);
    const audited = await load('custos single, audit on', `${auditedUrl}/access/v1/evaluation`, custosSingle, c);
    const cerbos50 = await load('cerbos batch of 50', `http://127.0.0.1:${httpPort}/api/check/resources`, cerbosBatch, c);
    const batch = await load('custos batch of 50', `${custosUrl}/access/v1/evaluations`, custosBatch, c);
    console.log(`custos batched decisions/s c=${c}: ${formatRate(batch.rps * 50)}; cerbos: ${formatRate(cerbos50.rps * 50)}`);
    if (c === 10) Object.assign(at10, { raw, echo, cerbos, single, batch, cerbos50, audited });
  }
  if (at10.single) {
    console.log(`custos single p99 at 10 connections: ${at10.single.p99} ms (target < 5 ms)`);
    ratio('custos single / express echo (c=10, target >= 0.8)', at10.single.rps, at10.echo!.rps);
    ratio('custos single / cerbos single (c=10, target >= 2)', at10.single.rps, at10.cerbos!.rps);
    ratio('custos single / raw node:http echo (c=10, distance to the limit)', at10.single.rps, at10.raw!.rps);
    ratio('custos batched decisions/s / 100,000 target (c=10)', at10.batch!.rps * 50, 100_000);
    ratio('custos batch-50 decisions / cerbos batch-50 decisions (c=10)', at10.batch!.rps, at10.cerbos50!.rps);
    ratio('custos single with audit / without (c=10, the price of durable audit)', at10.audited!.rps, at10.single.rps);
  }
};

try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  rmSync(temp, { recursive: true, force: true });
}
