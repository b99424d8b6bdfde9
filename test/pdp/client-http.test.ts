// The client: decisions over HTTP equal in-process ones, concurrent evaluations coalesce into one
// batch, errors are coded, connections are pooled, 503s are retried, timeouts are not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadPolicySet } from '../../policy/index.js';
import { createEngine } from '../../pdp/engine.js';
import { openSqliteEntityStore } from '../../pdp/sqlite/entity-store.js';
import { createClient } from '../../pdp/client/client.js';
import type { EvaluationRequest } from '../../pdp/types.js';
import { certificationDir, startReal, type Started } from './http-harness.js';

const request = (subject: string, action: string, record: string): EvaluationRequest => ({
  subject: { type: 'user', id: subject },
  action: { name: action },
  resource: { type: 'record', id: record },
});

const cases: EvaluationRequest[] = [];
for (const s of ['alice', 'bob', 'nobody']) for (const a of ['read', 'write', 'delete']) for (const r of ['record-1', 'record-2']) cases.push(request(s, a, r));

const listenOn = <T extends { listen: (port: number, host: string, cb: () => void) => unknown; address: () => unknown }>(server: T): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

describe('client over HTTP against the sidecar', () => {
  let s: Started;
  before(async () => {
    s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'));
  });
  after(() => s.stop());

  test('HTTP decisions equal in-process decisions (same engine, same data)', async () => {
    const store = openSqliteEntityStore(join(s.dataDir, 'in-process.db'));
    store.importEntities(join(certificationDir, 'entities'));
    const local = createClient({ inProcess: createEngine({ policySet: loadPolicySet(join(certificationDir, 'policies')), entities: store }) });
    const remote = createClient({ url: s.url });
    try {
      for (const c of cases) {
        const [a, b] = await Promise.all([local.evaluate(c), remote.evaluate(c)]);
        assert.equal(b.decision, a.decision, JSON.stringify(c));
        assert.deepEqual(b.context.reasons, a.context.reasons);
        assert.equal(b.context.policyVersion, a.context.policyVersion);
      }
      const many = await remote.evaluateMany(cases);
      assert.deepEqual(many.map((d) => d.decision), (await local.evaluateMany(cases)).map((d) => d.decision));
      const short = await remote.evaluateMany(cases, 'permit_on_first_permit');
      assert.equal(short.length, 1);
      assert.equal((await remote.status()).version, (await local.status()).version);
      const filter = await remote.filter({ subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resourceType: 'record' });
      assert.equal(filter.policyVersion, (await local.status()).version);
    } finally {
      remote.close();
      store.close();
    }
  });

  test('concurrent evaluations within the window share one batch request', async () => {
    const metrics = async () => (await (await fetch(`${s.url}/metrics`)).text());
    const count = (text: string, route: string) => Number(new RegExp(`custos_pdp_http_requests_total\\{route="${route.replace(/\//g, '\\/')}",status="200"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    const before = await metrics();
    const client = createClient({ url: s.url, batchWindowMs: 5 });
    try {
      const decisions = await Promise.all(cases.map((c) => client.evaluate(c)));
      assert.deepEqual(decisions.map((d) => d.decision), cases.map((c) => c.subject.id !== 'nobody' && ((c.action.name === 'read' && c.resource.id === 'record-1') || (c.action.name === 'write' && (c.subject.id === 'alice') === (c.resource.id === 'record-1')))));
      for (const d of decisions) assert.match(d.context.policyVersion, /^sha256:/);
    } finally {
      client.close();
    }
    const after = await metrics();
    assert.equal(count(after, '/access/v1/evaluations') - count(before, '/access/v1/evaluations'), 1);
    assert.equal(count(after, '/access/v1/evaluation') - count(before, '/access/v1/evaluation'), 0);
  });

  test('a request the decision point rejects is a coded error with the offending path', async () => {
    const client = createClient({ url: s.url });
    try {
      await assert.rejects(client.evaluate({ subject: { type: 'user', id: '' }, action: { name: 'read' }, resource: { type: 'record', id: 'record-1' } }), {
        code: 'ERR_PDP_INVALID_REQUEST',
        path: 'subject.id',
      });
    } finally {
      client.close();
    }
  });
});

describe('client transport', () => {
  const decisionBody = JSON.stringify({ decision: true, context: { id: 'x', policyVersion: 'v', reasons: [], obligations: [] } });

  test('keep-alive: sequential calls reuse one pooled connection', async () => {
    let connections = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(decisionBody));
    });
    server.on('connection', () => (connections += 1));
    const url = await listenOn(server);
    const client = createClient({ url });
    try {
      for (let i = 0; i < 10; i++) assert.equal((await client.evaluate(request('a', 'read', 'r'))).decision, true);
      assert.equal(connections, 1);
    } finally {
      client.close();
      server.close();
    }
  });

  test('a 503 (not ready, nothing decided) is retried; the retry succeeds', async () => {
    let calls = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        if (calls === 1) res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"code":"ERR_PDP_NOT_READY"}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(decisionBody);
      });
    });
    const url = await listenOn(server);
    const client = createClient({ url, retries: 2 });
    try {
      assert.equal((await client.evaluate(request('a', 'read', 'r'))).decision, true);
      assert.equal(calls, 2);
    } finally {
      client.close();
      server.close();
    }
  });

  test('a timeout is not retried (the decision may have been made) and fails as unavailable', async () => {
    let connections = 0;
    const silent: Server = createNetServer((socket) => {
      connections += 1;
      socket.on('data', () => undefined);
    });
    const url = await listenOn(silent);
    const client = createClient({ url, timeoutMs: 150, retries: 2 });
    const started = Date.now();
    try {
      await assert.rejects(client.evaluate(request('a', 'read', 'r')), { code: 'ERR_PDP_UNAVAILABLE' });
      assert.ok(Date.now() - started < 1500);
      assert.equal(connections, 1);
    } finally {
      client.close();
      silent.close();
    }
  });

  test('a refused connection is retried, then fails as unavailable', async () => {
    const client = createClient({ url: 'http://127.0.0.1:9', retries: 2, timeoutMs: 300 });
    try {
      await assert.rejects(client.evaluate(request('a', 'read', 'r')), { code: 'ERR_PDP_UNAVAILABLE' });
    } finally {
      client.close();
    }
  });

  test('createClient needs exactly one of url and inProcess', () => {
    assert.throws(() => createClient({}), TypeError);
  });
});
