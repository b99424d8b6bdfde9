import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { manualClock } from '../../lib/clock.js';
import { scan, type Finding, type ProgressEvent, type Source } from '../../scanner/index.js';
import { createCsvParser } from '../../lib/csv.js';

const clock = manualClock(Date.parse('2026-11-26T00:00:00Z'));
const options = { sampleSize: 100, minConfidence: 0.5 };
const dir = () => mkdtempSync(join(tmpdir(), 'custos-scan-'));
const find = (findings: readonly Finding[], location: string, type: string) => findings.find((f) => f.location === location && f.piType === type);

describe('CSV parser (RFC 4180)', () => {
  it('parses quotes, doubled quotes, CRLF and newlines inside quotes', () => {
    const p = createCsvParser(',');
    const rows = [...p.push('a,"b,""c"""\r\n"x\ny",z\n'), ...p.end()];
    assert.deepEqual(rows, [['a', 'b,"c"'], ['x\ny', 'z']]);
  });
  it('round-trips any table under any chunking (property)', () => {
    const cell = fc.string({ maxLength: 12 }).map((s) => s.replace(/\r/g, ''));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(30), { maxLength: 10 }), (table, cuts) => {
        const text = table.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n') + '\n';
        const p = createCsvParser(',');
        const rows: string[][] = [];
        let at = 0;
        for (const cut of cuts) {
          rows.push(...p.push(text.slice(at, at + cut)));
          at += cut;
        }
        rows.push(...p.push(text.slice(at)), ...p.end());
        assert.deepEqual(rows, table);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sources', () => {
  it('CSV and TSV: columns by header name', async () => {
    const d = dir();
    writeFileSync(join(d, 'p.csv'), '\uFEFF姓名,sfzh,amount\n张伟,110102199101010078,12.50\n王芳,44011320141005001X,3.00\n');
    writeFileSync(join(d, 'p.tsv'), 'mobile\tnote\n13800138000\tok\n13912345678\tok\n');
    const { findings } = await scan([d], options, { clock });
    assert.equal(find(findings, '姓名', 'personName')?.sourceType, 'csv');
    assert.ok(find(findings, 'sfzh', 'residentId'));
    assert.ok(find(findings, 'mobile', 'mobilePhone'));
    assert.ok(!findings.some((f) => f.location === 'amount' || f.location === 'note'));
  });
  it('JSON: nested paths with [] for arrays', async () => {
    const d = dir();
    writeFileSync(join(d, 'users.json'), JSON.stringify([{ contact: { emails: ['a@example.com'] }, id: 1 }, { contact: { emails: ['b@example.com'] }, id: 2 }]));
    const { findings } = await scan([d], options, { clock });
    assert.equal(find(findings, 'contact.emails[]', 'email')?.kind, 'field');
  });
  it('NDJSON and FHIR bulk NDJSON: streamed line by line', async () => {
    const d = dir();
    writeFileSync(join(d, 'events.ndjson'), ['{"ip":"10.1.2.3"}', '', '{"ip":"10.1.2.4"}'].join('\n'));
    writeFileSync(join(d, 'Patient.ndjson'), JSON.stringify({ resourceType: 'Patient', birthDate: '1990-01-01' }) + '\n');
    const { findings } = await scan([d], options, { clock });
    assert.equal(find(findings, 'ip', 'ipAddress')?.sourceType, 'ndjson');
    assert.equal(find(findings, 'Patient.birthDate', 'birthDate')?.sourceType, 'fhir');
  });
  it('FHIR R4 bundles: one unit per resource type, narrative text scanned', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'bundle.json'),
      JSON.stringify({
        resourceType: 'Bundle',
        entry: [
          { resource: { resourceType: 'Patient', gender: 'female', telecom: [{ system: 'phone', value: '13800138000' }], text: { div: '<div>患者王芳，身份证号110102199101010078，诊断高血压。</div>' } } },
          { resource: { resourceType: 'Condition', code: { coding: [{ code: 'I10' }], text: '高血压' } } },
        ],
      }),
    );
    const { findings } = await scan([d], options, { clock });
    assert.ok(find(findings, 'Patient.telecom[].value', 'mobilePhone'));
    assert.ok(find(findings, 'Patient.gender', 'gender'));
    assert.ok(find(findings, 'Condition.code.coding[].code', 'diagnosisCode'));
    assert.ok(find(findings, 'Patient.text.div', 'residentId'));
  });
  it('text and Markdown: spans are JavaScript string indices into the whole file, across chunks', async () => {
    const d = dir();
    const filler = '这是一行没有个人信息的文字。\n'.repeat(80_000); // > 1 MiB of UTF-8: several chunks
    const before = `${filler}😀 联系电话：`;
    writeFileSync(join(d, 'note.txt'), `${before}13800138000\n${filler}患者张伟\n`);
    writeFileSync(join(d, 'note.md'), '# 病历\n\n- 邮箱：a@example.com\n');
    const { findings } = await scan([d], options, { clock });
    const phone = findings.find((f) => f.source.endsWith('note.txt') && f.piType === 'mobilePhone')!;
    assert.deepEqual(phone.spans, [{ start: before.length, end: before.length + 11 }]);
    const name = findings.find((f) => f.source.endsWith('note.txt') && f.piType === 'personName')!;
    assert.equal(name.spans[0]!.start, before.length + 12 + filler.length + 2);
    const mail = findings.find((f) => f.source.endsWith('note.md') && f.piType === 'email')!;
    assert.equal(mail.sourceType, 'markdown');
    assert.equal(mail.kind, 'text');
  });
  it('SQLite: every table and column, sampling N rows, with row counts and distinct values', async () => {
    const d = dir();
    const db = new Database(join(d, 'h.sqlite'));
    db.exec('CREATE TABLE "pa""tients" (sfzh TEXT, note BLOB, age INTEGER); CREATE TABLE empty (x TEXT)');
    const insert = db.prepare('INSERT INTO "pa""tients" VALUES (?, ?, ?)');
    for (const id of ['110102199101010078', '44011320141005001X', '412723199010050012', '110102199101010078']) insert.run(id, Buffer.from('x'), 40);
    db.close();
    const report = await scan([join(d, 'h.sqlite')], { sampleSize: 2, minConfidence: 0.5 }, { clock });
    const f = find(report.findings, 'pa"tients.sfzh', 'residentId')!;
    assert.equal(f.sampled, 2);
    assert.equal(f.sourceType, 'sqlite');
    assert.deepEqual(f.distinct, { value: 3, isExact: true, relativeError: 0, method: 'exact' });
    assert.equal(report.stats.tables, 2);
  });
  it('large CSV streams: only the sample is held, distinct counts cover every row', async () => {
    const d = dir();
    const rows = Array.from({ length: 5000 }, (_, i) => `1380013${String(i).padStart(4, '0')}`);
    writeFileSync(join(d, 'big.csv'), `mobile\n${rows.join('\n')}\n`);
    const { findings } = await scan([d], { sampleSize: 50, minConfidence: 0.5 }, { clock });
    const f = find(findings, 'mobile', 'mobilePhone')!;
    assert.equal(f.sampled, 50);
    assert.equal(f.distinct?.value, 5000);
  });
  it('unreadable and unsupported inputs fail with a clear code; folders skip unknown files', async () => {
    await assert.rejects(scan(['/nonexistent/x.csv'], options, { clock }), { code: 'ERR_SCANNER_UNREADABLE_INPUT' });
    await assert.rejects(scan(['postgres://user@localhost/db'], options, { clock }), { code: 'ERR_SCANNER_ADAPTER_MISSING' });
    const d = dir();
    writeFileSync(join(d, 'a.bin'), 'x');
    await assert.rejects(scan([join(d, 'a.bin')], options, { clock }), { code: 'ERR_SCANNER_UNSUPPORTED_INPUT' });
    assert.deepEqual((await scan([d], options, { clock })).stats.skipped, [join(d, 'a.bin')]);
    writeFileSync(join(d, 'bad.json'), '{"a":');
    await assert.rejects(scan([join(d, 'bad.json')], options, { clock }), { code: 'ERR_SCANNER_UNREADABLE_INPUT' });
    writeFileSync(join(d, 'bad.db'), 'SQLite format 3\u0000garbage garbage garbage');
    await assert.rejects(scan([join(d, 'bad.db')], options, { clock }), { code: 'ERR_SCANNER_UNREADABLE_INPUT' });
    if (process.getuid?.() !== 0) {
      writeFileSync(join(d, 'secret.csv'), 'a\n1\n');
      chmodSync(join(d, 'secret.csv'), 0o000);
      await assert.rejects(scan([join(d, 'secret.csv')], options, { clock }), { code: 'ERR_SCANNER_UNREADABLE_INPUT' });
    }
  });
  it('a plugged-in Source (as a PostgreSQL adapter would be) is scanned like a built-in one', async () => {
    const ids = ['110102199101010078', '44011320141005001X', '412723199010050012'];
    const source: Source = {
      name: 'postgres://his/emr',
      sourceType: 'postgres',
      units: () => [
        {
          kind: 'table',
          source: 'postgres://his/emr',
          sourceType: 'postgres',
          container: 'public.patient',
          columns: [{ location: 'public.patient.sfzh', kind: 'column', name: 'sfzh', container: 'public.patient', values: ids, total: 3 }],
          rows: ids.map((v) => ({ 'public.patient.sfzh': v })),
          rowCount: 3,
          walk: async (locations, visit) => ids.forEach((v) => visit(locations[0]!, v)),
        },
        { kind: 'text', source: 'postgres://his/emr', sourceType: 'postgres', container: 'public.notes', chunks: async function* () { yield { text: '手机13800138000', offset: 0 }; } },
      ],
    };
    const report = await scan([source], options, { clock });
    assert.deepEqual(report.sources, ['postgres://his/emr']);
    const f = find(report.findings, 'public.patient.sfzh', 'residentId')!;
    assert.equal(f.sourceType, 'postgres');
    assert.equal(f.distinct?.value, 3);
    // "patient" table: a medical context, reported as a reading beside the stricter 35273 one.
    assert.ok(f.classification.readings.some((r) => r.basis === 'context' && r.spiCategory === 'medicalHealth'));
    assert.ok(report.findings.some((x) => x.piType === 'mobilePhone' && x.kind === 'text'));
  });
  it('reports progress per file, with the file position among all inputs', async () => {
    const d = dir();
    writeFileSync(join(d, 'a.csv'), 'mobile\n13800138000\n');
    writeFileSync(join(d, 'b.txt'), '手机13800138000\n');
    const events: ProgressEvent[] = [];
    await scan([d], { ...options, onProgress: (e) => events.push(e) }, { clock });
    assert.deepEqual([...new Set(events.map((e) => `${e.file}/${e.files}`))], ['1/2', '2/2']);
    assert.ok(events.every((e) => e.done <= e.total));
    assert.equal(events.at(-1)!.done, events.at(-1)!.total);
  });
  it('refuses bad options', async () => {
    await assert.rejects(scan([], { sampleSize: 0, minConfidence: 0.5 }, { clock }), { code: 'ERR_SCANNER_INVALID_OPTION' });
    await assert.rejects(scan([], { sampleSize: 10, minConfidence: 2 }, { clock }), { code: 'ERR_SCANNER_INVALID_OPTION' });
  });
});
