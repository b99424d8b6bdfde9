// `custos policy validate|test|explain`, end to end on the compiled CLI (npm test builds dist/).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repo = join(import.meta.dirname, '..', '..');
const bin = join(repo, 'dist', 'cli', 'main.js');
const hospital = join(repo, 'examples', 'hospital');

const custos = (args: string[], cwd = mkdtempSync(join(tmpdir(), 'custos-policy-cli-'))) => {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

describe('custos policy', () => {
  it('validate: a valid set prints its rule count and version (exit 0)', () => {
    const run = custos(['--lang', 'en', 'policy', 'validate', hospital]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /policy set is valid: \d+ rules, 6 resource types/);
    assert.match(run.stdout, /version sha256:[0-9a-f]{64}/);
    const json = JSON.parse(custos(['--json', 'policy', 'validate', join(hospital, 'policy')]).stdout) as { ok: boolean; rules: number };
    assert.equal(json.ok, true);
  });

  it('validate: an invalid set lists every error as file:line:column with a fix (exit 1)', () => {
    const run = custos(['--lang', 'en', 'policy', 'validate', join(repo, 'test', 'fixtures', 'policy', 'invalid')]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /rules\.yaml:7:25: ERR_POLICY_UNKNOWN_FIELD .*"bloodType"/);
    assert.match(run.stdout, /rules\.yaml:12:13: ERR_POLICY_UNKNOWN_ROLE/);
    assert.match(run.stdout, /rules\.yaml:22:5: ERR_POLICY_UNREACHABLE_DENY/);
    assert.match(run.stdout, /fix: declare it under resources\.emr\.fields/);
    assert.match(run.stdout, /8 errors/);
  });

  it('test: runs the hospital suites and reports every pass (exit 0), in Chinese by default', () => {
    const run = custos(['policy', 'test', hospital]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /通过/);
    assert.match(run.stdout, /(\d+) 个通过，0 个失败/);
  });

  it('test: a failing expectation is reported with its position and the difference (exit 3)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-policy-fail-'));
    cpSync(join(hospital, 'policy'), join(dir, 'policy'), { recursive: true });
    cpSync(join(hospital, 'entities'), join(dir, 'entities'), { recursive: true });
    cpSync(join(hospital, 'tests', '03-nurses-pharmacists.yaml'), join(dir, 'tests', 'ok.yaml'), { recursive: true });
    writeFileSync(
      join(dir, 'tests', 'wrong.yaml'),
      'name: wrong\nnow: "2026-06-01T09:00:00+08:00"\ntests:\n  - name: nurse sees the diagnosis (wrong on purpose)\n    request: { subject: { type: user, id: n001 }, action: { name: read }, resource: { type: emr, id: e001 } }\n    expect: { decision: true, fields: [diagnosis] }\n',
    );
    const run = custos(['--lang', 'en', 'policy', 'test', dir]);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.match(run.stdout, /FAIL {2}nurse sees the diagnosis \(wrong on purpose\) {2}\(.*wrong\.yaml:4:5\)/);
    assert.match(run.stdout, /expected fields \[diagnosis\], got \[allergies, medications, nursingNotes, patientName, vitals\]/);
    assert.match(run.stdout, /10 passed, 1 failed/);
  });

  it('explain: shows the decision, the matched rules and why the others did not apply', () => {
    const dir = mkdtempSync(join(tmpdir(), 'custos-explain-'));
    const file = join(dir, 'request.json');
    writeFileSync(file, JSON.stringify({ subject: { type: 'user', id: 'd002' }, action: { name: 'read' }, resource: { type: 'emr', id: 'e001' }, context: { breakGlass: true, reason: 'ER' } }));
    const args = ['policy', 'explain', file, '--policies', join(hospital, 'policy'), '--entities', join(hospital, 'entities'), '--now', '2026-06-01T09:00:00+08:00'];
    const run = custos(['--lang', 'en', ...args]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /decision: ALLOW/);
    assert.match(run.stdout, /✓ break-glass-emr \[allow\] matched/);
    assert.match(run.stdout, /· treating-doctor-emr \[allow\] subject, role or context condition not met/);
    assert.match(run.stdout, /obligations: audit_break_glass, notify_security_officer, require_reason/);
    const json = JSON.parse(custos(['--json', ...args]).stdout) as { decision: { decision: boolean }; rules: { id: string }[] };
    assert.equal(json.decision.decision, true);
    assert.ok(json.rules.length >= 5);
  });

  it('explain: an unreadable request is a usage error (exit 2)', () => {
    const run = custos(['--lang', 'en', 'policy', 'explain', '/nonexistent/request.json', '--policies', join(hospital, 'policy')]);
    assert.equal(run.code, 2);
  });
});
