// Operating the sidecar: health, readiness, metrics, input limits, policy reload (admin and file
// watch, invalid sets rejected), caller authentication, fail-closed paths and graceful shutdown.
// Real server on 127.0.0.1, real engine and store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicySet } from '../../policy/index.js';
import { createEngine } from '../../pdp/engine.js';
import { openSqliteEntityStore } from '../../pdp/sqlite/entity-store.js';
import { startSidecar } from '../../pdp/http/sidecar.js';
import { createSidecarApp } from '../../pdp/http/app.js';
import type { DecisionEngine } from '../../pdp/http/ports.js';
import { certificationDir, post, startReal, type Started } from './http-harness.js';

const alice = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } };

const copyCertification = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-pdp-policy-'));
  cpSync(join(certificationDir, 'policies'), dir, { recursive: true });
  return dir;
};

describe('health, readiness, metrics and limits', () => {
  let s: Started;
  before(async () => {
    s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'), { 'server.bodyLimitBytes': 1024, 'server.maxBatchSize': 5 });
  });
  after(() => s.stop());

  test('/healthz answers while the process lives; /readyz names the policy version', async () => {
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.match(((await ready.json()) as { policyVersion: string }).policyVersion, /^sha256:/);
  });

  test('/metrics counts decisions by result and request latency, and names the policy version', async () => {
    await post(`${s.url}/access/v1/evaluation`, alice);
    await post(`${s.url}/access/v1/evaluation`, { ...alice, action: { name: 'delete' } });
    await post(`${s.url}/access/v1/evaluation`, { nope: true });
    const r = await fetch(`${s.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    assert.ok(value(/custos_pdp_decisions_total\{result="permit"\} (\d+)/) >= 1);
    assert.ok(value(/custos_pdp_decisions_total\{result="deny"\} (\d+)/) >= 1);
    assert.ok(value(/custos_pdp_errors_total\{code="ERR_PDP_INVALID_REQUEST"\} (\d+)/) >= 1);
    assert.ok(value(/custos_pdp_http_request_duration_seconds_count\{route="\/access\/v1\/evaluation"\} (\d+)/) >= 3);
    assert.match(text, /custos_pdp_http_request_duration_seconds_bucket\{route="\/access\/v1\/evaluation",le="0\.005"\} \d+/);
    assert.match(text, /custos_pdp_policy_info\{version="sha256:[0-9a-f]+"\} 1/);
    assert.ok(!text.includes('alice'), 'metrics carry no subject ids');
  });

  test('an oversized body is a 413 problem and the server keeps serving', async () => {
    const big = { ...alice, context: { padding: 'x'.repeat(4096) } };
    const r = await post(`${s.url}/access/v1/evaluation`, big);
    assert.equal(r.status, 413);
    assert.equal((r.body as { code: string }).code, 'ERR_PDP_BODY_TOO_LARGE');
    // Without Content-Length (chunked), the limit holds while streaming.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${s.url}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('x'.repeat(512));
      req.end();
    });
    assert.equal(chunked, 413);
    const ok = await post(`${s.url}/access/v1/evaluation`, alice);
    assert.equal(ok.status, 200);
    assert.equal((ok.body as { decision: boolean }).decision, true);
  });

  test('batches beyond the configured size, deep nesting and prototype keys are 400s', async () => {
    const batch = await post(`${s.url}/access/v1/evaluations`, { ...alice, evaluations: Array.from({ length: 6 }, () => ({})) });
    assert.equal(batch.status, 400);
    assert.equal((batch.body as { path: string }).path, 'evaluations');
    let deep: unknown = 1;
    for (let i = 0; i < 30; i++) deep = { a: deep };
    const nested = await post(`${s.url}/access/v1/evaluation`, { ...alice, context: deep });
    assert.equal(nested.status, 400);
    const proto = await post(`${s.url}/access/v1/evaluation`, '{"subject":{"type":"user","id":"alice","properties":{"__proto__":{"role":"admin"}}},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}', { raw: true });
    assert.equal(proto.status, 400);
    assert.equal((proto.body as { path: string }).path, 'subject.properties.__proto__');
  });

  test('unknown endpoints are 404 problems', async () => {
    const r = await post(`${s.url}/access/v2/evaluation`, alice);
    assert.equal(r.status, 404);
    assert.equal((r.body as { code: string }).code, 'ERR_PDP_NOT_FOUND');
  });

  test('the served OpenAPI document is the committed pdp/openapi.json', async () => {
    const served = await (await fetch(`${s.url}/openapi.json`)).json();
    const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'pdp', 'openapi.json'), 'utf8'));
    assert.deepEqual(served, committed, 'pdp/openapi.json is stale: regenerate it as pdp/README.md says (HTTP sidecar, OpenAPI)');
    assert.equal((served as { openapi: string }).openapi, '3.1.0');
    // Every route the application serves is described, with its method.
    const app = createSidecarApp({ engine: () => { throw new Error('not called'); } });
    const routes = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack
      .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((m) => [layer.route!.path, m] as const) : []));
    assert.ok(routes.length >= 13);
    const paths = (served as { paths: Record<string, Record<string, unknown>> }).paths;
    for (const [path, method] of routes) assert.ok(paths[path]?.[method], `${method.toUpperCase()} ${path} is not in the OpenAPI document`);
  });
});

describe('policy reload', () => {
  test('an invalid policy set is rejected with its errors and the old set keeps serving; a valid one is swapped in', async () => {
    const dir = copyCertification();
    const s = await startReal(dir, join(certificationDir, 'entities'));
    try {
      const before = ((await (await fetch(`${s.url}/custos/v1/policy`)).json()) as { version: string }).version;
      writeFileSync(join(dir, 'broken.yaml'), 'rules:\n  - id: broken\n    effect: maybe\n    resource: nowhere\n    actions: [read]\n');
      const rejected = await post(`${s.url}/custos/v1/policy/reload`, {});
      assert.equal(rejected.status, 422, rejected.text);
      const problem = rejected.body as { code: string; errors: { code: string }[] };
      assert.equal(problem.code, 'ERR_PDP_POLICY_INVALID');
      assert.ok(problem.errors.length >= 2, 'every error is listed');
      const still = await post(`${s.url}/access/v1/evaluation`, alice);
      assert.equal((still.body as { decision: boolean; context: { policyVersion: string } }).context.policyVersion, before);
      assert.equal((still.body as { decision: boolean }).decision, true);

      rmSync(join(dir, 'broken.yaml'));
      const fixture = readFileSync(join(dir, 'fixture.yaml'), 'utf8');
      writeFileSync(join(dir, 'fixture.yaml'), fixture.replace('roles: [member, admin]\n    when:\n      resource.status: active', 'roles: [admin]\n    when:\n      resource.status: active'));
      const reloaded = await post(`${s.url}/custos/v1/policy/reload`, {});
      assert.equal(reloaded.status, 200, reloaded.text);
      const after = (reloaded.body as { status: { version: string } }).status.version;
      assert.notEqual(after, before);
      const now = await post(`${s.url}/access/v1/evaluation`, alice);
      assert.equal((now.body as { decision: boolean }).decision, false, 'members lost read in the new set');
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /custos_pdp_policy_reloads_total\{result="rejected"\} 1/);
      assert.match(metrics, /custos_pdp_policy_reloads_total\{result="ok"\} 1/);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a change to a policy file is picked up without a restart', async () => {
    const dir = copyCertification();
    const s = await startReal(dir, join(certificationDir, 'entities'), { 'policy.watch': true });
    try {
      const version = async () => ((await (await fetch(`${s.url}/custos/v1/policy`)).json()) as { version: string }).version;
      const before = await version();
      writeFileSync(join(dir, 'fixture.yaml'), `${readFileSync(join(dir, 'fixture.yaml'), 'utf8')}\n# touched\n`);
      let after = before;
      for (let i = 0; i < 50 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await version();
      }
      assert.notEqual(after, before);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('caller authentication', () => {
  test('with a tokens file every decision needs a valid bearer token; health stays open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-pdp-tokens-'));
    const file = join(dir, 'tokens.yaml');
    writeFileSync(file, 'emr-viewer: tok-emr-viewer-0123456789abcdef\nbilling: tok-billing-0123456789abcdef\n', { mode: 0o600 });
    const s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'), { 'server.tokensFile': file, 'server.adminToken': 'admin-secret-0123456789' });
    try {
      assert.equal((await post(`${s.url}/access/v1/evaluation`, alice)).status, 401);
      const wrong = await post(`${s.url}/access/v1/evaluation`, alice, { headers: { authorization: 'Bearer tok-emr-viewer-0123456789abcdeX' } });
      assert.equal(wrong.status, 401);
      assert.equal((wrong.body as { code: string }).code, 'ERR_PDP_UNAUTHENTICATED');
      const right = await post(`${s.url}/access/v1/evaluation`, alice, { headers: { authorization: 'Bearer tok-billing-0123456789abcdef' } });
      assert.equal(right.status, 200);
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
      // The admin credential is separate: a service token does not reload policies.
      const asService = await post(`${s.url}/custos/v1/policy/reload`, {}, { headers: { authorization: 'Bearer tok-billing-0123456789abcdef' } });
      assert.equal(asService.status, 403);
      const asAdmin = await post(`${s.url}/custos/v1/policy/reload`, {}, { headers: { 'x-custos-admin-token': 'admin-secret-0123456789' } });
      assert.equal(asAdmin.status, 200, asAdmin.text);
      const noBody = await fetch(`${s.url}/custos/v1/policy/reload`, { method: 'POST', headers: { 'x-custos-admin-token': 'admin-secret-0123456789' } });
      assert.equal(noBody.status, 200, 'curl -XPOST without a body works');
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('off loopback the sidecar refuses to start without caller authentication', async () => {
    const engine = createEngine({ policySet: loadPolicySet(join(certificationDir, 'policies')) });
    await assert.rejects(startSidecar({ engine: () => engine, host: '0.0.0.0', port: 0 }), { code: 'ERR_PDP_INSECURE_BIND' });
  });
});

describe('fail closed and graceful shutdown', () => {
  const withEngine = async (wrap: (engine: DecisionEngine) => DecisionEngine, run: (url: string, close: () => Promise<void>) => Promise<void>, recorder?: Parameters<typeof startSidecar>[0]['recorder']) => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-pdp-fc-'));
    const store = openSqliteEntityStore(join(dir, 'entities.db'));
    store.importEntities(join(certificationDir, 'entities'));
    const engine = wrap(createEngine({ policySet: loadPolicySet(join(certificationDir, 'policies')), entities: store }));
    const sidecar = await startSidecar({ engine: () => engine, host: '127.0.0.1', port: 0, recorder, onClose: () => store.close() });
    try {
      await run(sidecar.url, () => sidecar.close());
    } finally {
      await sidecar.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('an exception in evaluation is a deny with a reason, not a 5xx', async () => {
    await withEngine(
      (engine) => ({ ...engine, decide: (r) => (r.resource.id === 'boom' ? (() => { throw new Error('attribute source down'); })() : engine.decide(r)) }),
      async (url) => {
        const r = await post(`${url}/access/v1/evaluation`, { ...alice, resource: { type: 'record', id: 'boom' } });
        assert.equal(r.status, 200);
        const body = r.body as { decision: boolean; context: { reasons: { id: string }[]; policyVersion: string } };
        assert.equal(body.decision, false);
        assert.equal(body.context.reasons[0]!.id, 'ERR_PDP_EVALUATION_FAILED');
        assert.match(body.context.policyVersion, /^sha256:/);
        assert.ok(!r.text.includes('attribute source down'), 'the exception message is not echoed');
      },
    );
  });

  test('a decision the audit log cannot make durable is answered as a deny', async () => {
    const failing = { record: () => Promise.reject(new Error('disk full')), close: async () => undefined };
    await withEngine((engine) => engine, async (url) => {
      const r = await post(`${url}/access/v1/evaluation`, alice);
      assert.equal(r.status, 200);
      const body = r.body as { decision: boolean; context: { reasons: { id: string }[] } };
      assert.equal(body.decision, false);
      assert.equal(body.context.reasons[0]!.id, 'ERR_PDP_AUDIT_FAILED');
    }, failing);
  });

  test('closing finishes an in-flight request, then refuses new connections', async () => {
    await withEngine((engine) => engine, async (url, close) => {
      const body = JSON.stringify(alice);
      let closed = false;
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(`${url}/access/v1/evaluation`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          const closing = close().then(() => (closed = true));
          setTimeout(() => {
            assert.equal(closed, false, 'close waits for the in-flight request');
            req.end(body.slice(10));
          }, 100);
          void closing;
        }, 50);
      });
      const r = await answer;
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.text) as { decision: boolean }).decision, true);
      await close();
      assert.equal(closed, true);
      await assert.rejects(fetch(`${url}/healthz`));
    });
  });
});
