import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const fixture = join(root, 'test', 'fixtures', 'masking', 'patient-bundle.json');
const key = 'ab'.repeat(32);

const custos = (args: string[], env: Record<string, string> = {}, input?: string) => {
  const cwd = mkdtempSync(join(tmpdir(), 'custos-mask-'));
  const run = spawnSync(process.execPath, [bin, '--lang', 'en', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, cwd };
};

test('custos mask value masks one value by PI type and profile', () => {
  assert.equal(custos(['mask', 'value', 'cn_resident_id', '11010219910101007X']).stdout.trim(), '110***********007X');
  assert.equal(custos(['mask', 'value', 'person_name', '欧阳明华', '--profile', 'queue_screen']).stdout.trim(), '欧阳*华');
  const json = JSON.parse(custos(['--json', 'mask', 'value', 'mobile', '13812345678']).stdout) as { type: string; masked: string };
  assert.deepEqual(json, { type: 'phone_mobile', profile: 'default', masked: '138****5678' });
  assert.equal(custos(['mask', 'value', 'person_name', '张三', '--profile', 'public']).code, 2);
});

test('custos mask apply masks a FHIR bundle with a spec file and leaves the input file unchanged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-mask-spec-'));
  const spec = join(dir, 'spec.yaml');
  writeFileSync(
    spec,
    [
      'profile: default',
      'masks:',
      "  - { path: \"Patient.identifier.where(system='urn:oid:2.16.156.10011.1.3')\", rule: cn_resident_id }",
      '  - { path: Patient.name, rule: person_name }',
      '  - { path: Patient.telecom, rule: phone_mobile }',
      '  - { path: Patient.birthDate, rule: date_shift }',
      '  - { path: Encounter.period.start, rule: date_shift }',
      '',
    ].join('\n'),
  );
  const before = readFileSync(fixture, 'utf8');
  const out = join(dir, 'masked.json');
  const run = custos(['mask', 'apply', fixture, '--spec', spec, '--out', out], { CUSTOS_MASKING_KEY: key });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(fixture, 'utf8'), before);
  const masked = JSON.parse(readFileSync(out, 'utf8')) as { entry: { resource: Record<string, any> }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const patient = masked.entry[0]!.resource;
  assert.equal(patient.identifier[0].value, '110***********007X');
  assert.equal(patient.name[0].text, '欧**华');
  assert.equal(patient.telecom[0].value, '+86 138 **** 5678');
  assert.notEqual(patient.birthDate, '1985-04-12');
  assert.ok(!readFileSync(out, 'utf8').includes('13812345678'));
});

test('custos mask apply on NDJSON from stdin: pseudonyms are stable per key, and unknown rules fail closed (exit 1)', () => {
  const ndjson = '{"id":"a","phone":"13812345678"}\n{"id":"b","phone":"13812345678"}\n';
  const first = custos(['mask', 'apply', '--ndjson', '-m', 'phone=pseudonymize'], { CUSTOS_MASKING_KEY: key }, ndjson);
  assert.equal(first.code, 0, first.stderr);
  const rows = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { phone: string });
  assert.equal(rows.length, 2);
  assert.equal(rows[0]!.phone, rows[1]!.phone);
  assert.match(rows[0]!.phone, /^[0-9a-f]{32}$/);
  const other = custos(['mask', 'apply', '--ndjson', '-m', 'phone=pseudonymize'], { CUSTOS_MASKING_KEY: 'cd'.repeat(32) }, ndjson);
  assert.notEqual((JSON.parse(other.stdout.split('\n')[0]!) as { phone: string }).phone, rows[0]!.phone);

  const unknown = custos(['mask', 'apply', '--ndjson', '-m', 'phone=no_such_rule'], {}, ndjson);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /ERR_MASKING_UNKNOWN_RULE phone \(no_such_rule\) ×2/);
  assert.ok(!unknown.stdout.includes('13812345678'));
  const noKey = custos(['mask', 'apply', '--ndjson', '-m', 'phone=pseudonymize'], {}, ndjson);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /ERR_MASKING_MISSING_KEY/);
});

test('custos mask check reports k-anonymity and exits 3 when the export fails it', () => {
  const rows = [
    { sex: 'M', year: 1985, city: '杭州' },
    { sex: 'M', year: 1985, city: '杭州' },
    { sex: 'F', year: 1990, city: '宁波' },
  ];
  const failing = custos(['--json', 'mask', 'check', '--qi', 'sex,year,city', '--k', '2'], {}, JSON.stringify(rows));
  assert.equal(failing.code, 3, failing.stderr);
  const report = JSON.parse(failing.stdout) as { k: number; reidentifiable: number[] };
  assert.equal(report.k, 1);
  assert.deepEqual(report.reidentifiable, [2]);
  const passing = custos(['mask', 'check', '--qi', 'sex', '--k', '1'], {}, JSON.stringify(rows));
  assert.equal(passing.code, 0);
  assert.match(passing.stdout, /k = 1/);
});

test('custos mask rules lists display rules and operators', () => {
  const run = custos(['--json', 'mask', 'rules']);
  const names = (JSON.parse(run.stdout) as { name: string }[]).map((r) => r.name);
  for (const name of ['cn_resident_id', 'phone_mobile', 'person_name', 'address', 'pseudonymize', 'generalize_year', 'generalize_city', 'fpe', 'date_shift']) {
    assert.ok(names.includes(name), name);
  }
});
