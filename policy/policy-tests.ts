/**
 * Policy test suites: YAML files of request → expected decision, fields, masks, obligations.
 * The runner takes the decision function as an argument, so the same suites run against the
 * in-process engine and the sidecar.
 */
import { readFileSync } from 'node:fs';
import { throwIssues, listPolicyFiles } from './loader.js';
import type { PolicyIssue } from './errors.js';
import type { SourcePosition } from './types.js';
import { isPlainObject, parseYamlSource } from './yaml-source.js';

export interface PolicyTestExpectation {
  readonly decision: boolean;
  /** Exact set of permitted fields. */
  readonly fields?: readonly string[];
  /** Exact map of masks. */
  readonly masks?: Readonly<Record<string, string>>;
  /** Obligations that must be present: a type, or `{ type, field?, rule? }`. */
  readonly obligations?: readonly (string | { readonly type: string; readonly field?: string; readonly rule?: string })[];
  /** Rule ids (or reason codes) that must be among the reasons. */
  readonly reasons?: readonly string[];
}

export interface PolicyTestCase {
  readonly name: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly expect: PolicyTestExpectation;
  readonly at: SourcePosition;
}

export interface PolicyTestSuite {
  readonly name: string;
  readonly file: string;
  /** Fixed time for the suite's decisions (consent validity, ages); ISO 8601. */
  readonly now?: string;
  readonly tests: readonly PolicyTestCase[];
}

/** The parts of a decision a test looks at (structurally the pdp `Decision`). */
export interface TestDecision {
  readonly decision: boolean;
  readonly context?: {
    readonly fields?: readonly string[];
    readonly masks?: Readonly<Record<string, string>>;
    readonly obligations?: readonly { readonly type: string; readonly field?: string; readonly rule?: string }[];
    readonly reasons?: readonly { readonly id: string }[];
  };
}

export interface PolicyTestResult {
  readonly suite: string;
  readonly name: string;
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly at: SourcePosition;
}

export interface PolicyTestReport {
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly PolicyTestResult[];
}

/**
 * Reads every test suite under the given folders or files. Throws `ERR_POLICY_INVALID`
 * (issues coded `ERR_POLICY_TEST_INVALID`) listing every malformed case.
 *
 * @example
 * const suites = loadPolicyTests('examples/hospital/tests');
 */
export const loadPolicyTests = (paths: string | readonly string[]): PolicyTestSuite[] => {
  const issues: PolicyIssue[] = [];
  const suites: PolicyTestSuite[] = [];
  const files = listPolicyFiles(typeof paths === 'string' ? [paths] : paths);
  for (const { file, name } of files) {
    const src = parseYamlSource(name, readFileSync(file, 'utf8'), issues);
    const doc = src.value;
    const bad = (container: unknown, key: string | number | undefined, message: string, hint: string): void => {
      issues.push({ code: 'ERR_POLICY_TEST_INVALID', message, hint, at: src.at(container, key) });
    };
    if (!isPlainObject(doc) || !Array.isArray(doc.tests)) {
      if (doc !== null) bad(doc, undefined, 'a test suite is a mapping with a "tests" list', 'write name: ..., tests: [ { name, request, expect } ]');
      continue;
    }
    if (doc.now !== undefined && (typeof doc.now !== 'string' || !Number.isFinite(Date.parse(doc.now)))) {
      bad(doc, 'now', '"now" must be an ISO 8601 date-time', 'write now: 2026-06-01T09:00:00+08:00');
    }
    const tests: PolicyTestCase[] = [];
    doc.tests.forEach((t, i) => {
      if (!isPlainObject(t)) return bad(doc.tests, i, `test #${i + 1} must be a mapping`, 'write { name, request, expect }');
      for (const k of Object.keys(t)) if (!['name', 'request', 'expect'].includes(k)) bad(t, k, `test #${i + 1}: unknown key "${k}"`, 'tests have name, request, expect');
      const label = typeof t.name === 'string' ? t.name : `test #${i + 1}`;
      if (typeof t.name !== 'string') bad(doc.tests, i, `${label} has no name`, 'add name: <what it checks>');
      if (!isPlainObject(t.request)) return bad(t, 'request', `${label}: "request" must be a mapping`, 'write request: { subject, action, resource, context }');
      if (!isPlainObject(t.expect) || typeof t.expect.decision !== 'boolean') return bad(t, 'expect', `${label}: "expect.decision" must be true or false`, 'write expect: { decision: true }');
      for (const k of Object.keys(t.expect)) {
        if (!['decision', 'fields', 'masks', 'obligations', 'reasons'].includes(k)) bad(t.expect, k, `${label}: unknown expectation "${k}"`, 'expect has decision, fields, masks, obligations, reasons');
      }
      tests.push({ name: label, request: t.request, expect: t.expect as unknown as PolicyTestExpectation, at: src.at(doc.tests, i) });
    });
    suites.push({ name: typeof doc.name === 'string' ? doc.name : name, file: name, ...(typeof doc.now === 'string' ? { now: doc.now } : {}), tests });
  }
  if (issues.length > 0) throwIssues(issues, 'the policy tests');
  return suites;
};

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** Compares one decision with its expectation; returns the differences (empty when it passes). */
export const checkDecision = (expect: PolicyTestExpectation, got: TestDecision): string[] => {
  const problems: string[] = [];
  const ctx = got.context ?? {};
  const reasons = (ctx.reasons ?? []).map((r) => r.id);
  if (got.decision !== expect.decision) problems.push(`expected decision ${expect.decision}, got ${got.decision} (reasons: ${reasons.join(', ') || 'none'})`);
  if (expect.fields && !sameSet(expect.fields, ctx.fields ?? [])) {
    problems.push(`expected fields [${[...expect.fields].sort().join(', ')}], got [${[...(ctx.fields ?? [])].sort().join(', ')}]`);
  }
  if (expect.masks) {
    const want = Object.entries(expect.masks).map(([k, v]) => `${k}=${v}`).sort();
    const have = Object.entries(ctx.masks ?? {}).map(([k, v]) => `${k}=${v}`).sort();
    if (want.join(',') !== have.join(',')) problems.push(`expected masks {${want.join(', ')}}, got {${have.join(', ')}}`);
  }
  for (const o of expect.obligations ?? []) {
    const want = typeof o === 'string' ? { type: o } : o;
    const found = (ctx.obligations ?? []).some((g) => g.type === want.type && (want.field === undefined || g.field === want.field) && (want.rule === undefined || g.rule === want.rule));
    if (!found) problems.push(`expected obligation ${want.type}${want.field ? ` on ${want.field}` : ''}${want.rule ? ` (${want.rule})` : ''}, not present`);
  }
  for (const r of expect.reasons ?? []) if (!reasons.includes(r)) problems.push(`expected reason "${r}" among [${reasons.join(', ')}]`);
  return problems;
};

/**
 * Runs suites through a decision function. `decide` receives the request and the suite's
 * fixed time (ms) when it sets `now`.
 */
export const runPolicyTests = (
  suites: readonly PolicyTestSuite[],
  decide: (request: Readonly<Record<string, unknown>>, nowMs: number | undefined) => TestDecision,
): PolicyTestReport => {
  const results: PolicyTestResult[] = [];
  for (const suite of suites) {
    const nowMs = suite.now === undefined ? undefined : Date.parse(suite.now);
    for (const t of suite.tests) {
      const problems = checkDecision(t.expect, decide(t.request, nowMs));
      results.push(Object.freeze({ suite: suite.name, name: t.name, ok: problems.length === 0, problems: Object.freeze(problems), at: t.at }));
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  return Object.freeze({ passed: results.length - failed, failed, results: Object.freeze(results) });
};

/** A human report: one line per test, details under failures, a summary line. */
export const formatTestReport = (report: PolicyTestReport, labels = { pass: 'PASS', fail: 'FAIL', summary: (p: number, f: number) => `${p} passed, ${f} failed` }): string => {
  const lines: string[] = [];
  let suite = '';
  for (const r of report.results) {
    if (r.suite !== suite) {
      suite = r.suite;
      lines.push(`# ${suite}`);
    }
    lines.push(`  ${r.ok ? labels.pass : labels.fail}  ${r.name}${r.ok ? '' : `  (${r.at.file}:${r.at.line}:${r.at.column})`}`);
    for (const p of r.problems) lines.push(`        ${p}`);
  }
  lines.push(labels.summary(report.passed, report.failed));
  return lines.join('\n');
};
