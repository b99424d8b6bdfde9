import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { classify, defaultRuleSet, loadRuleSet, medicalContextOf, parseRuleSet, piTypes } from '../../scanner/index.js';

const rules = defaultRuleSet();
const repoRoot = join(import.meta.dirname, '..', '..');
const bundledText = readFileSync(join(repoRoot, 'scanner', 'rules', 'cn-health-2026.1.json'), 'utf8');

describe('classification record (COMPLIANCE.md §3.1)', () => {
  it('has a rule for every data type, versioned', () => {
    assert.equal(rules.version, 'cn-health-2026.1');
    for (const t of piTypes) assert.ok(rules.types[t], t);
  });
  it('carries every §3.1 field', () => {
    const c = classify(rules, 'mobilePhone', {});
    for (const key of ['dataType', 'piClass', 'spiCategory', 'spiBasis', 'healthCategory', 'healthLevel', 'dslTier', 'generalGrade', 'finClass', 'identifierRole', 'minorFlag', 'reasons', 'ruleSetVersion']) {
      assert.ok(key in c, key);
    }
    assert.ok(Object.isFrozen(c));
  });
  it('resident ID: SPI under GB/T 35273, not under GB/T 45574; both reported, the stricter controls', () => {
    const c = classify(rules, 'residentId', {});
    assert.equal(c.piClass, 'SPI');
    assert.equal(c.spiCategory, 'specificIdentity');
    assert.equal(c.spiBasis, 'GB/T 35273-2020');
    assert.deepEqual(c.readings.find((r) => r.basis === 'GB/T 45574-2025'), { basis: 'GB/T 45574-2025', piClass: 'PI', spiCategory: null });
    assert.equal(c.identifierRole, 'direct');
    assert.equal(c.healthCategory, 'personalAttribute');
    assert.equal(c.healthLevel, 4);
  });
  it('maps the §3.2 table', () => {
    const expect: [string, string, string | null, string | null, number | null, string][] = [
      ['bankCard', 'SPI', 'financialAccount', 'medicalPayment', 4, 'direct'],
      ['diagnosis', 'SPI', 'medicalHealth', 'healthStatus', 4, 'sensitiveAttribute'],
      ['drug', 'SPI', 'medicalHealth', 'medicalApplication', 4, 'sensitiveAttribute'],
      ['labResult', 'SPI', 'medicalHealth', 'medicalApplication', 3, 'sensitiveAttribute'],
      ['gpsCoordinate', 'SPI', 'locationTrack', 'personalAttribute', 4, 'quasi'],
      ['medicalRecordNumber', 'PI', null, 'medicalApplication', 4, 'direct'],
      ['email', 'PI', null, 'personalAttribute', 3, 'direct'],
      ['ipAddress', 'PI', null, 'personalAttribute', 2, 'quasi'],
      ['address', 'PI', null, 'personalAttribute', 3, 'quasi'],
      ['orgCreditCode', 'none', null, 'healthResource', 1, 'none'],
    ];
    for (const [type, piClass, cat, hc, hl, role] of expect) {
      const c = classify(rules, type as never, {});
      assert.deepEqual([c.piClass, c.spiCategory, c.healthCategory, c.healthLevel, c.identifierRole], [piClass, cat, hc, hl, role], type);
    }
    assert.equal(classify(rules, 'bankCard', {}).finClass, 'C2');
  });
  it('genetic data is an important-data candidate, never "important"', () => {
    const c = classify(rules, 'geneticData', {});
    assert.equal(c.dslTier, 'importantCandidate');
    assert.equal(c.spiCategory, 'biometric');
    assert.equal(c.healthLevel, 5);
    assert.equal(c.generalGrade, null);
  });
  it('health data at population scale becomes a candidate; a single patient stays general', () => {
    assert.equal(classify(rules, 'diagnosis', { individuals: 10 }).dslTier, 'general');
    assert.equal(classify(rules, 'diagnosis', { individuals: 2_000_000 }).dslTier, 'importantCandidate');
    assert.equal(classify(rules, 'email', { individuals: 2_000_000 }).dslTier, 'general');
  });
  it('special conditions raise the health level to 5', () => {
    assert.equal(classify(rules, 'diagnosis', { isSpecial: true }).healthLevel, 5);
    assert.ok(classify(rules, 'diagnosis', { isSpecial: true }).reasons.includes('R-SPECIAL'));
  });
  it('PI in a medical-context table reveals health status (basis: context)', () => {
    const c = classify(rules, 'mobilePhone', { medicalContext: 'container-name:hiv' });
    assert.equal(c.piClass, 'SPI');
    assert.equal(c.spiCategory, 'medicalHealth');
    assert.equal(c.spiBasis, 'context');
    assert.equal(medicalContextOf(rules, 'hiv_clinic_appointments.csv', []), 'container-name:hiv');
    assert.equal(medicalContextOf(rules, 'staff', ['diagnosis']), 'health-data-beside:diagnosis');
    assert.equal(medicalContextOf(rules, 'staff', ['email']), undefined);
  });
  it('record-level escalation: every PI of a subject under 14 is SPI (PIPL Art. 28)', () => {
    const c = classify(rules, 'email', { minorsUnder14: 3 });
    assert.equal(c.piClass, 'SPI');
    assert.equal(c.spiCategory, 'minorUnder14');
    assert.equal(c.spiBasis, 'PIPL-28');
    assert.equal(c.minorFlag, true);
    assert.ok(c.reasons.includes('R-MINOR:under-14:3-sampled-records'));
    assert.ok(c.healthLevel! >= 4);
    // Minors override the weaker context basis.
    assert.equal(classify(rules, 'email', { minorsUnder14: 1, medicalContext: 'x' }).spiBasis, 'PIPL-28');
    // Not for organisation identifiers.
    assert.equal(classify(rules, 'orgCreditCode', { minorsUnder14: 1 }).piClass, 'none');
  });
  it('a subject aged exactly 14 is SPI under GB/T 35273 only (divergence surfaced)', () => {
    const c = classify(rules, 'email', { minorsAged14: 1 });
    assert.equal(c.piClass, 'SPI');
    assert.equal(c.spiBasis, 'GB/T 35273-2020');
    assert.equal(c.minorFlag, false);
  });
});

describe('rule set is data, replaceable and validated', () => {
  it('a user rule set replaces the bundled one', () => {
    const custom = JSON.parse(bundledText) as { version: string; types: Record<string, { readings: unknown[] }> };
    custom.version = 'my-hospital-1';
    custom.types.ipAddress!.readings = [{ basis: 'hospital-policy', piClass: 'SPI', spiCategory: 'other' }];
    const file = join(mkdtempSync(join(tmpdir(), 'custos-rules-')), 'rules.json');
    writeFileSync(file, JSON.stringify(custom));
    const mine = loadRuleSet(file);
    const c = classify(mine, 'ipAddress', {});
    assert.equal(c.ruleSetVersion, 'my-hospital-1');
    assert.equal(c.spiBasis, 'hospital-policy');
  });
  it('refuses a missing type, an unknown category, bad levels, __proto__ keys and bad JSON with a path', () => {
    const base = () => JSON.parse(bundledText) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const bad: [Record<string, unknown> | string, string][] = [];
    const a = base();
    delete a.types.email;
    bad.push([a, 'types.email']);
    const b = base();
    b.types.email.readings[0].spiCategory = 'secret';
    b.types.email.readings[0].piClass = 'SPI';
    bad.push([b, 'types.email.readings[0].spiCategory']);
    const c = base();
    c.types.email.healthLevel = 9;
    bad.push([c, 'types.email.healthLevel']);
    const d = base();
    d.types.nickname = d.types.email;
    bad.push([d, 'types.nickname']);
    bad.push(['{"__proto__": {"x": 1}}', '$']);
    bad.push(['{not json', '$']);
    for (const [value, path] of bad) {
      assert.throws(() => parseRuleSet(typeof value === 'string' ? value : JSON.stringify(value), 'r.json'), (err: { code: string; path: string }) => {
        assert.equal(err.code, 'ERR_SCANNER_INVALID_RULES');
        assert.equal(err.path, path);
        return true;
      });
    }
  });
  it('an unreadable rules file is a coded error', () => {
    assert.throws(() => loadRuleSet('/nonexistent/rules.json'), { code: 'ERR_SCANNER_INVALID_RULES' });
  });
});
