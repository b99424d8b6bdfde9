import type { Command } from 'commander';
import { basename } from 'node:path';
import { CustosError } from '../../lib/errors.js';
import type { Finding, PiType, ProgressEvent, ScanReport } from '../../scanner/index.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { pick, type Bilingual, type Lang } from '../i18n.js';

const text = {
  description: {
    zh: '扫描文件、文件夹、SQLite 数据库中的个人信息与健康数据，分类分级并写入数据清单',
    en: 'scan files, folders and SQLite databases for personal and health data, classify it and record the data inventory',
  },
  targets: { zh: '文件、文件夹、SQLite 数据库或 postgres:// 连接串', en: 'files, folders, SQLite databases or postgres:// URLs' },
  optMin: { zh: '最低置信度 0..1（默认 scanner.minConfidence）', en: 'minimum confidence 0..1 (default scanner.minConfidence)' },
  optSample: { zh: '每列抽样行数（默认 scanner.sampleSize）', en: 'rows sampled per column (default scanner.sampleSize)' },
  optRules: { zh: '替换分类规则集（JSON 文件）', en: 'replacement classification rule set (JSON file)' },
  optNoInventory: { zh: '不写入数据清单', en: 'do not record the result in the inventory' },
  scanned: { zh: '已扫描', en: 'scanned' },
  files: { zh: '个文件', en: 'files' },
  tables: { zh: '张表/资源', en: 'tables/resources' },
  columns: { zh: '列/字段', en: 'columns/fields' },
  documents: { zh: '篇文本', en: 'text documents' },
  ruleSet: { zh: '规则集', en: 'rule set' },
  none: { zh: '未发现个人信息。', en: 'No personal information found.' },
  header: { zh: ['来源', '位置', '类型', '置信度', '命中/样本', '分类', '健康级别', '数据分级', '去重数', '示例（已脱敏）'], en: ['source', 'location', 'type', 'conf.', 'hits/sample', 'class', 'health lvl', 'DSL tier', 'distinct', 'examples (masked)'] },
  summary: { zh: '汇总', en: 'summary' },
  findings: { zh: '项发现', en: 'findings' },
  spi: { zh: '敏感个人信息', en: 'sensitive PI' },
  pi: { zh: '一般个人信息', en: 'PI' },
  notPi: { zh: '非个人信息（机构标识）', en: 'not PI (organisation ids)' },
  minors: { zh: '含不满十四周岁未成年人信息', en: 'contain data of children under 14' },
  important: { zh: '重要数据候选（待主管部门认定）', en: 'important-data candidates (until notified)' },
  individuals: { zh: '直接标识符去重估计（人数）', en: 'distinct individuals by direct identifier' },
  inventory: { zh: '已写入数据清单', en: 'recorded in inventory' },
  changes: { zh: '与上次扫描相比', en: 'since the previous scan' },
  added: { zh: '新增', en: 'added' },
  removed: { zh: '消失', en: 'removed' },
  changed: { zh: '分级变化', en: 'reclassified' },
  skipped: { zh: '跳过不支持的文件', en: 'skipped unsupported files' },
  badNumber: { zh: '必须是', en: 'must be' },
} as const;

const typeNames: Readonly<Record<PiType, Bilingual>> = {
  personName: { zh: '姓名', en: 'person name' },
  residentId: { zh: '居民身份证号', en: 'resident ID' },
  mobilePhone: { zh: '手机号', en: 'mobile' },
  landlinePhone: { zh: '固定电话', en: 'landline' },
  bankCard: { zh: '银行卡号', en: 'bank card' },
  email: { zh: '电子邮箱', en: 'e-mail' },
  address: { zh: '地址', en: 'address' },
  birthDate: { zh: '出生日期', en: 'birth date' },
  passport: { zh: '护照号', en: 'passport' },
  travelPermit: { zh: '港澳台通行证件', en: 'HK/Macau/Taiwan permit' },
  medicalInsuranceNumber: { zh: '医保/社保号', en: 'medical insurance no.' },
  medicalRecordNumber: { zh: '病案/门诊/住院号', en: 'medical record no.' },
  ipAddress: { zh: 'IP 地址', en: 'IP address' },
  macAddress: { zh: 'MAC 地址', en: 'MAC address' },
  deviceId: { zh: '设备标识', en: 'device id' },
  gpsCoordinate: { zh: '经纬度', en: 'GPS coordinates' },
  wechatOpenId: { zh: '微信 OpenID', en: 'WeChat OpenID' },
  ethnicity: { zh: '民族', en: 'ethnicity' },
  gender: { zh: '性别', en: 'gender' },
  diagnosisCode: { zh: '诊断编码 ICD-10', en: 'ICD-10 code' },
  diagnosis: { zh: '诊断', en: 'diagnosis' },
  drug: { zh: '药品', en: 'drug' },
  labResult: { zh: '检验结果', en: 'lab result' },
  geneticData: { zh: '基因数据', en: 'genetic data' },
  wearableMetric: { zh: '可穿戴健康指标', en: 'wearable metric' },
  orgCreditCode: { zh: '统一社会信用代码', en: 'org. credit code' },
};

const categoryNames: Readonly<Record<string, Bilingual>> = {
  biometric: { zh: '生物识别', en: 'biometric' },
  religious: { zh: '宗教信仰', en: 'religious' },
  specificIdentity: { zh: '特定身份', en: 'specific identity' },
  medicalHealth: { zh: '医疗健康', en: 'medical health' },
  financialAccount: { zh: '金融账户', en: 'financial account' },
  locationTrack: { zh: '行踪轨迹', en: 'location track' },
  minorUnder14: { zh: '不满十四周岁', en: 'child under 14' },
  other: { zh: '其他', en: 'other' },
};

const tierNames: Readonly<Record<string, Bilingual>> = {
  general: { zh: '一般', en: 'general' },
  importantCandidate: { zh: '重要(候选)', en: 'important?' },
  important: { zh: '重要', en: 'important' },
  core: { zh: '核心', en: 'core' },
};

// Display width: CJK characters take two columns in a terminal.
const width = (s: string): number => {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
};
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - width(s)));

const table = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((r) => width(r[i] ?? '')))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd()).join('\n');
};

const classLabel = (f: Finding, lang: Lang): string => {
  const c = f.classification;
  if (c.piClass === 'none') return lang === 'zh' ? '非个人信息' : 'not PI';
  if (c.piClass === 'PI') return 'PI';
  const cat = c.spiCategory === null ? '' : pick(categoryNames[c.spiCategory] ?? { zh: c.spiCategory, en: c.spiCategory }, lang);
  return `SPI ${cat} (${c.spiBasis ?? ''})`;
};

const parseNumber = (raw: string | undefined, name: string, lo: number, hi: number, isInteger: boolean, lang: Lang): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < lo || n > hi || (isInteger && !Number.isInteger(n))) {
    throw new CustosError('ERR_CLI_USAGE', {
      message: `${name} ${pick(text.badNumber, lang)} ${isInteger ? 'an integer' : 'a number'} ${lo}..${hi}`,
      hint: `custos scan --help`,
    });
  }
  return n;
};

/** A one-line progress bar on a terminal's stderr, redrawn at most every 100 ms. */
const progressBar = (enabled: boolean) => {
  let last = 0;
  let shown = false;
  return {
    update: (e: ProgressEvent): void => {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100 && e.done < e.total) return;
      last = now;
      const ratio = e.total === 0 ? 1 : e.done / e.total;
      const filled = Math.round(ratio * 24);
      const position = e.file === undefined || e.files === undefined ? '' : `${e.file}/${e.files} `;
      process.stderr.write(`\r${position}[${'#'.repeat(filled)}${'-'.repeat(24 - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${basename(e.source).slice(0, 40).padEnd(40)}`);
      shown = true;
    },
    done: (): void => {
      if (shown) process.stderr.write(`\r${' '.repeat(80)}\r`);
    },
  };
};

const humanReport = (report: ScanReport, lang: Lang, extra: { scanId?: number; changes?: { added: number; removed: number; changed: number }; individuals: string[] }): string => {
  const t = (b: Bilingual): string => pick(b, lang);
  const s = report.stats;
  const lines = [
    `${t(text.scanned)} ${s.files} ${t(text.files)}, ${s.tables} ${t(text.tables)}, ${s.columns} ${t(text.columns)}, ${s.documents} ${t(text.documents)} · ${t(text.ruleSet)} ${report.ruleSetVersion}`,
    '',
  ];
  if (report.findings.length === 0) lines.push(t(text.none));
  else {
    const rows = report.findings.map((f) => [
      basename(f.source),
      f.location,
      pick(typeNames[f.piType], lang),
      f.confidence.toFixed(2),
      f.kind === 'text' ? `${f.spanCount}` : `${f.matched}/${f.sampled}`,
      classLabel(f, lang),
      f.classification.healthLevel === null ? '-' : String(f.classification.healthLevel),
      pick(tierNames[f.classification.dslTier] ?? { zh: f.classification.dslTier, en: f.classification.dslTier }, lang) + (f.classification.generalGrade === null ? '' : `/${f.classification.generalGrade}`),
      f.distinct === undefined ? '-' : `${f.distinct.isExact ? '' : '≈'}${f.distinct.value}`,
      f.examples.slice(0, 2).join(', '),
    ]);
    lines.push(table([[...text.header[lang]], ...rows]));
  }
  const count = (p: (f: Finding) => boolean): number => report.findings.filter(p).length;
  lines.push(
    '',
    `${t(text.summary)}: ${report.findings.length} ${t(text.findings)} · ${t(text.spi)} ${count((f) => f.classification.piClass === 'SPI')} · ${t(text.pi)} ${count((f) => f.classification.piClass === 'PI')} · ${t(text.notPi)} ${count((f) => f.classification.piClass === 'none')}`,
  );
  const minors = count((f) => f.classification.minorFlag);
  if (minors > 0) lines.push(`  ${minors} ${t(text.findings)} ${t(text.minors)}`);
  const important = count((f) => f.classification.dslTier === 'importantCandidate');
  if (important > 0) lines.push(`  ${important} ${t(text.findings)}: ${t(text.important)}`);
  if (extra.individuals.length > 0) lines.push(`${t(text.individuals)}: ${extra.individuals.join(' · ')}`);
  if (s.skipped.length > 0) lines.push(`${t(text.skipped)}: ${s.skipped.length}`);
  if (extra.scanId !== undefined) lines.push(`${t(text.inventory)} (#${extra.scanId})`);
  if (extra.changes !== undefined) lines.push(`${t(text.changes)}: ${t(text.added)} ${extra.changes.added} · ${t(text.removed)} ${extra.changes.removed} · ${t(text.changed)} ${extra.changes.changed}`);
  return lines.join('\n');
};

/** `custos scan <target…>`: discovery; exit 0 even when personal data is found, 1 on unreadable input. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  program
    .command('scan')
    .description(pick(text.description, lang))
    .argument('<targets...>', pick(text.targets, lang))
    .option('--min-confidence <n>', pick(text.optMin, lang))
    .option('--sample-size <n>', pick(text.optSample, lang))
    .option('--rules <file>', pick(text.optRules, lang))
    .option('--no-inventory', pick(text.optNoInventory, lang))
    .action(async (targets: string[], opts: { minConfidence?: string; sampleSize?: string; rules?: string; inventory: boolean }) => {
      const ctx = context();
      const config = ctx.config();
      const minConfidence = parseNumber(opts.minConfidence, '--min-confidence', 0, 1, false, lang) ?? config.scanner.minConfidence;
      const sampleSize = parseNumber(opts.sampleSize, '--sample-size', 1, 1_000_000, true, lang) ?? config.scanner.sampleSize;
      const scanner = await import('../../scanner/index.js');
      const { systemClock } = await import('../../lib/clock.js');
      const rules = opts.rules === undefined ? undefined : scanner.loadRuleSet(opts.rules);
      const bar = progressBar(process.stderr.isTTY === true && !ctx.isJson && !ctx.isQuiet);
      let report: ScanReport;
      try {
        report = await scanner.scan(targets, { sampleSize, minConfidence, onProgress: bar.update }, { clock: systemClock, ...(rules === undefined ? {} : { rules }) });
      } finally {
        bar.done();
      }
      let scanId: number | undefined;
      let changes: ReturnType<typeof scanner.inventoryChanges> | undefined;
      let estimates: ReturnType<typeof scanner.individualEstimates> = [];
      if (opts.inventory) {
        const store = scanner.openInventory(config.dataDir);
        try {
          scanId = store.record(report);
          changes = store.changesSincePrevious();
          estimates = store.individualEstimates();
        } finally {
          store.close();
        }
      }
      const individuals = estimates.map((e) => `${pick(typeNames[e.piType], lang)} ${e.union.isExact ? '' : '≈'}${e.union.value}${e.union.isExact ? '' : ` (±${(e.union.relativeError * 100).toFixed(1)}%)`}`);
      const { sketches: _sketches, ...reportJson } = report;
      ctx.result(
        humanReport(report, lang, {
          ...(scanId === undefined ? {} : { scanId }),
          ...(changes === undefined || changes.previousScanId === undefined ? {} : { changes: { added: changes.added.length, removed: changes.removed.length, changed: changes.changed.length } }),
          individuals,
        }),
        {
          ...reportJson,
          ...(scanId === undefined ? {} : { inventoryScanId: scanId }),
          ...(changes === undefined ? {} : { changes: { previousScanId: changes.previousScanId ?? null, added: changes.added.map(keyOf), removed: changes.removed.map(keyOf), changed: changes.changed.map((c) => keyOf(c.after)) } }),
          individuals: estimates,
        },
      );
      ctx.setExitCode(ExitCode.ok);
    });
};

const keyOf = (e: { source: string; location: string; piType: string }) => ({ source: e.source, location: e.location, piType: e.piType });
