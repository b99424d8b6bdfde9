// The enforcement middleware end to end: the example EMR viewer service (express + enforce +
// maskForDecision) in front of the real sidecar on the hospital example, all on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServiceApp } from '../../examples/service/server.js';
import { createClient, type PdpClient } from '../../pdp/client/client.js';
import { repoRoot, startReal, type Started } from './http-harness.js';

const hospital = join(repoRoot, 'examples', 'hospital');

describe('enforce() in the example service, against the sidecar', () => {
  let sidecar: Started;
  let client: PdpClient;
  let server: Server;
  let base: string;
  before(async () => {
    sidecar = await startReal(join(hospital, 'policy'), join(hospital, 'entities'), {}, { nowMs: Date.parse('2026-06-01T09:00:00+08:00') });
    client = createClient({ url: sidecar.url, timeoutMs: 2000 });
    server = createServiceApp({ client }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    client.close();
    await sidecar.stop();
  });

  const get = async (path: string, headers: Record<string, string>) => {
    const r = await fetch(`${base}${path}`, { headers });
    return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
  };

  test('a permitted request reaches the handler, which sees the decision in res.locals', async () => {
    const r = await get('/emr/e001', { 'x-user-id': 'd001', 'x-purpose': 'treatment' });
    assert.equal(r.status, 200);
    assert.equal(r.body.diagnosis, '稳定型心绞痛');
    assert.match(r.headers.get('x-decision-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('a denied request is answered 403 with the reasons, and the handler never runs', async () => {
    const r = await get('/emr/e001', { 'x-user-id': 'd002', 'x-purpose': 'treatment' });
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'ERR_PDP_ACCESS_DENIED');
    assert.ok(Array.isArray(r.body.reasons) && (r.body.reasons as { id: string }[]).length > 0);
    assert.match(String(r.body.policyVersion), /^sha256:/);
    assert.equal(r.body.diagnosis, undefined);
  });

  test('the decision masks fields in the response body with the masking module', async () => {
    const r = await get('/patients/p001', { 'x-user-id': 'p001' });
    assert.equal(r.status, 200);
    const id = String(r.body.idCardNo);
    assert.notEqual(id, '11010519491231002X', 'the resident ID number is masked');
    assert.ok(id.includes('*'), `masked form: ${id.length} characters`);
    assert.equal(r.body.name, '王小明', 'unmasked permitted fields pass through');
  });

  test('fields outside the permitted set are dropped (a nurse sees nursing fields only)', async () => {
    const r = await get('/emr/e001', { 'x-user-id': 'n001' });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['allergies', 'medications', 'nursingNotes', 'patientName', 'vitals']);
  });

  test('no authenticated subject is a 401, not a decision', async () => {
    const r = await get('/emr/e001', {});
    assert.equal(r.status, 401);
  });

  test('when the decision point cannot be reached the service fails closed with 503', async () => {
    const dead = createClient({ url: 'http://127.0.0.1:9', timeoutMs: 300, retries: 1 });
    const app = createServiceApp({ client: dead }).listen(0, '127.0.0.1');
    await new Promise((r) => app.once('listening', r));
    try {
      const r = await fetch(`http://127.0.0.1:${(app.address() as AddressInfo).port}/emr/e001`, { headers: { 'x-user-id': 'd001', 'x-purpose': 'treatment' } });
      assert.equal(r.status, 503);
      assert.equal(((await r.json()) as { code: string }).code, 'ERR_PDP_UNAVAILABLE');
    } finally {
      await new Promise((r) => app.close(r));
      dead.close();
    }
  });
});
