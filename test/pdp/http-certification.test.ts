// The AuthZEN 1.0 certification scenario over real HTTP: every decision vector of the fixture and
// the structural checks (status codes, X-Request-ID, unknown fields, batch defaults and per-item
// errors, search edge cases, metadata). The vectors are read from ../shared when present.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificationDir, post, repoRoot, startReal, type Started } from './http-harness.js';

interface Block {
  readonly label: string;
  readonly json: Record<string, unknown>;
}
interface Section {
  readonly id: string;
  readonly title: string;
  readonly expected_http: readonly string[];
  readonly blocks: readonly Block[];
}

const vectorsFile = join(repoRoot, '..', 'shared', 'authzen-interop', 'certification-1_0-vectors.json');
const hasVectors = existsSync(vectorsFile);
const sections: Section[] = hasVectors ? (JSON.parse(readFileSync(vectorsFile, 'utf8')) as { sections: Section[] }).sections : [];
const section = (id: string): Section => sections.find((s) => s.id === id)!;
const requestOf = (id: string): Record<string, unknown> => section(id).blocks.find((b) => b.label.startsWith('Request'))!.json;
const expectedOf = (id: string): Record<string, unknown> | undefined => section(id).blocks.find((b) => b.label.startsWith('Expected'))?.json;

// Every fixture decision vector is supported (c-2-2-6 permits a soft delete through action.soft).
const unsupported = new Set<string>();

const endpointOf = (id: string): string => {
  if (id.startsWith('c-2')) return '/access/v1/evaluation';
  if (id.startsWith('c-3')) return '/access/v1/evaluations';
  if (id.startsWith('c-4-2') || id === 'c-4-5-1' || id === 'c-4-5-2') return '/access/v1/search/subject';
  if (id.startsWith('c-4-3')) return '/access/v1/search/resource';
  return '/access/v1/search/action';
};

const sortResults = (body: unknown): unknown => {
  const b = body as { results?: Record<string, string>[] };
  return { ...b, results: [...(b.results ?? [])].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))) };
};

describe('AuthZEN 1.0 certification over HTTP', { skip: hasVectors ? false : 'skipped: ../shared/authzen-interop is absent' }, () => {
  let s: Started;
  before(async () => {
    s = await startReal(join(certificationDir, 'policies'), join(certificationDir, 'entities'));
  });
  after(() => s.stop());

  test('every fixture decision vector answers as expected, with status 200', async () => {
    const ids = sections.filter((x) => /^c-(2-2|3-2|3-4-[23]|4-[2-4])/.test(x.id) && expectedOf(x.id) && !unsupported.has(x.id)).map((x) => x.id);
    assert.ok(ids.length >= 18, `only ${ids.length} vectors found`);
    for (const id of ids) {
      const r = await post(`${s.url}${endpointOf(id)}`, requestOf(id));
      assert.equal(r.status, 200, `${id}: HTTP ${r.status} ${r.text}`);
      const expected = expectedOf(id)!;
      if ('decision' in expected) assert.equal((r.body as { decision: boolean }).decision, expected.decision, id);
      else if ('evaluations' in expected) assert.deepEqual(r.body, expected, id);
      else assert.deepEqual(sortResults(r.body), sortResults(expected), id);
    }
  });

  test('requests without an Expected block still answer 200 (context, additional properties, unknown fields)', async () => {
    for (const id of ['c-2-2-3', 'c-2-2-8', 'c-2-2-9', 'c-3-2-1', 'c-3-2-6', 'c-4-2-2', 'c-4-2-3', 'c-4-3-2', 'c-4-3-3', 'c-4-4-2']) {
      const r = await post(`${s.url}${endpointOf(id)}`, requestOf(id));
      assert.equal(r.status, 200, `${id}: ${r.text}`);
    }
    const unknownFields = await post(`${s.url}/access/v1/evaluation`, requestOf('c-2-2-9'));
    assert.equal((unknownFields.body as { decision: boolean }).decision, true);
  });

  test('a missing member or sub-member is a 400 problem naming the field', async () => {
    const cases: [string, string][] = [
      ['c-2-4-1', 'subject'], ['c-2-4-1', 'action'], ['c-2-4-1', 'resource'],
    ];
    const missing = section('c-2-4-1').blocks;
    for (let i = 0; i < missing.length; i++) {
      const r = await post(`${s.url}/access/v1/evaluation`, missing[i]!.json);
      assert.equal(r.status, 400);
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = r.body as { code: string; path: string; status: number; title: string };
      assert.equal(problem.code, 'ERR_PDP_INVALID_REQUEST');
      assert.equal(problem.status, 400);
      assert.equal(problem.path, cases[i]![1]);
    }
    const paths = ['subject.type', 'subject.id', 'action.name', 'resource.type', 'resource.id'];
    section('c-2-4-2').blocks.forEach((b, i) => assert.ok(b.label.includes('missing'), String(i)));
    for (const [i, b] of section('c-2-4-2').blocks.entries()) {
      const r = await post(`${s.url}/access/v1/evaluation`, b.json);
      assert.equal(r.status, 400, b.label);
      assert.equal((r.body as { path: string }).path, paths[i]);
    }
    for (const b of section('c-2-4-6').blocks) {
      const r = await post(`${s.url}/access/v1/evaluation`, b.json);
      assert.equal(r.status, 400, b.label);
    }
  });

  test('malformed JSON, an empty body and a non-JSON content type are 400s that do not echo the body', async () => {
    const malformed = await post(`${s.url}/access/v1/evaluation`, '{"subject": {"type": "user", "id": "secret-patient-4711"', { raw: true });
    assert.equal(malformed.status, 400);
    assert.equal((malformed.body as { code: string }).code, 'ERR_PDP_MALFORMED_JSON');
    assert.ok(!malformed.text.includes('secret-patient-4711'));
    const empty = await post(`${s.url}/access/v1/evaluation`, '', { raw: true });
    assert.equal(empty.status, 400);
    assert.equal((empty.body as { code: string }).code, 'ERR_PDP_EMPTY_BODY');
    const text = await post(`${s.url}/access/v1/evaluation`, JSON.stringify(requestOf('c-2-2-1')), { raw: true, headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 400);
    assert.equal((text.body as { code: string }).code, 'ERR_PDP_UNSUPPORTED_MEDIA_TYPE');
  });

  test('X-Request-ID is echoed, and generated when absent', async () => {
    const r = await post(`${s.url}/access/v1/evaluation`, requestOf('c-2-2-1'), { headers: { 'x-request-id': 'req-123' } });
    assert.equal(r.headers.get('x-request-id'), 'req-123');
    const bad = await post(`${s.url}/access/v1/evaluation`, {}, { headers: { 'x-request-id': 'req-456' } });
    assert.equal(bad.headers.get('x-request-id'), 'req-456');
    const generated = await post(`${s.url}/access/v1/evaluation`, requestOf('c-2-2-1'));
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('an invalid batch item under execute_all is a per-item deny with status 200', async () => {
    const r = await post(`${s.url}/access/v1/evaluations`, requestOf('c-3-4-1'));
    assert.equal(r.status, 200);
    const items = (r.body as { evaluations: { decision: boolean; context?: { error?: { code: string; path: string } } }[] }).evaluations;
    assert.equal(items.length, 2);
    assert.deepEqual(items[0], { decision: true });
    assert.equal(items[1]!.decision, false);
    assert.equal(items[1]!.context?.error?.code, 'ERR_PDP_INVALID_REQUEST');
    assert.equal(items[1]!.context?.error?.path, 'evaluations[1].resource');
  });

  test('short-circuit semantics stop at the first deny or permit', async () => {
    const base = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' } };
    const evaluations = [{ resource: { type: 'record', id: 'record-1' } }, { resource: { type: 'record', id: 'record-2' } }, { resource: { type: 'record', id: 'record-1' } }];
    const deny = await post(`${s.url}/access/v1/evaluations`, { ...base, options: { evaluations_semantic: 'deny_on_first_deny' }, evaluations });
    assert.deepEqual(deny.body, { evaluations: [{ decision: true }, { decision: false }] });
    const permit = await post(`${s.url}/access/v1/evaluations`, { ...base, options: { evaluations_semantic: 'permit_on_first_permit' }, evaluations });
    assert.deepEqual(permit.body, { evaluations: [{ decision: true }] });
    const all = await post(`${s.url}/access/v1/evaluations`, { ...base, evaluations });
    assert.deepEqual(all.body, { evaluations: [{ decision: true }, { decision: false }, { decision: true }] });
  });

  test('batch items carry the Custos context only when options.include_context asks for it', async () => {
    const r = await post(`${s.url}/access/v1/evaluations`, { ...requestOf('c-3-2-5'), options: { include_context: true } });
    const items = (r.body as { evaluations: { decision: boolean; context: { id: string; policyVersion: string; reasons: unknown[] } }[] }).evaluations;
    assert.equal(items.length, 2);
    for (const item of items) {
      assert.match(item.context.policyVersion, /^sha256:/);
      assert.ok(item.context.id.length > 0);
      assert.ok(Array.isArray(item.context.reasons));
    }
  });

  test('a single evaluation carries the Custos context: id, policy version, reasons', async () => {
    const r = await post(`${s.url}/access/v1/evaluation`, requestOf('c-2-2-2'));
    const body = r.body as { decision: boolean; context: { id: string; policyVersion: string; reasons: { id: string }[]; obligations: unknown[] } };
    assert.equal(body.decision, false);
    assert.match(body.context.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.ok(body.context.reasons.length > 0);
    assert.deepEqual(Object.keys(body).sort(), ['context', 'decision']);
  });

  test('search pages with limit and token, ignores supplied ids, and finds nothing for unknown ids and types', async () => {
    const first = await post(`${s.url}/access/v1/search/subject`, requestOf('c-4-5-1'));
    assert.equal(first.status, 200);
    const page1 = first.body as { results: { id: string }[]; page: { next_token: string } };
    assert.equal(page1.results.length, 1);
    assert.ok(page1.page.next_token.length > 0);
    const second = await post(`${s.url}/access/v1/search/subject`, { ...requestOf('c-4-5-2'), page: { token: page1.page.next_token } });
    const page2 = second.body as { results: { id: string }[]; page: { next_token: string } };
    assert.equal(second.status, 200);
    assert.equal(page2.results.length, 1);
    assert.notEqual(page2.results[0]!.id, page1.results[0]!.id);
    assert.equal(page2.page.next_token, '');
    const forged = await post(`${s.url}/access/v1/search/subject`, requestOf('c-4-5-2'));
    assert.equal(forged.status, 400);
    assert.equal((forged.body as { path: string }).path, 'page.token');
    for (const id of ['c-4-6-1', 'c-4-6-2']) {
      const block = section(id).blocks[0]!;
      const endpoint = block.label.includes('Action') ? '/access/v1/search/action' : '/access/v1/search/subject';
      const r = await post(`${s.url}${endpoint}`, block.json);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { results: [] });
    }
  });

  test('search requests missing inputs are 400s', async () => {
    const endpoints = ['/access/v1/search/subject', '/access/v1/search/resource', '/access/v1/search/action'];
    for (const id of ['c-4-7-1', 'c-4-7-2']) {
      for (const [i, b] of section(id).blocks.entries()) {
        const r = await post(`${s.url}${endpoints[i]}`, b.json);
        assert.equal(r.status, 400, `${id} ${b.label}: ${r.text}`);
      }
    }
  });

  test('the metadata document names the PDP and every endpoint (AuthZEN 1.0 §9)', async () => {
    const r = await fetch(`${s.url}/.well-known/authzen-configuration`);
    assert.equal(r.status, 200);
    const meta = (await r.json()) as Record<string, string>;
    const example = section('c-6-2').blocks[0]!.json;
    for (const key of Object.keys(example).filter((k) => k !== 'signed_metadata')) assert.ok(key in meta, key);
    assert.equal(meta.policy_decision_point, s.url);
    assert.equal(meta.access_evaluation_endpoint, `${s.url}/access/v1/evaluation`);
  });
});
