import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { pick, type Lang } from '../i18n.js';

const text = {
  mask: { zh: '脱敏与去标识化：按规则遮盖 JSON/NDJSON/FHIR 文档，检查 k-匿名性', en: 'masking and de-identification: mask JSON/NDJSON/FHIR documents by rule, check k-anonymity' },
  apply: { zh: '按掩码规则处理 JSON、NDJSON 或 FHIR 文件（不修改输入文件）', en: 'apply mask rules to a JSON, NDJSON or FHIR file (the input file is not changed)' },
  value: { zh: '按个人信息类型遮盖单个值（展示规则）', en: 'mask one value by PI type (display rules)' },
  check: { zh: '检查研究导出数据集的 k-匿名性；不满足时退出码 3', en: 'check k-anonymity of a research export; exit 3 when it fails' },
  rules: { zh: '列出可用的掩码规则与去标识化算子', en: 'list the mask rules and de-identification operators' },
  optIn: { zh: '输入文件（默认标准输入）', en: 'input file (default stdin)' },
  optOut: { zh: '输出文件（默认标准输出）', en: 'output file (default stdout)' },
  optMask: { zh: '掩码 路径=规则，可重复（如 Patient.telecom=phone_mobile）', en: 'mask path=rule, repeatable (e.g. Patient.telecom=phone_mobile)' },
  optSpec: { zh: '掩码规格文件（YAML/JSON：masks、profile、subjectId）', en: 'mask spec file (YAML/JSON: masks, profile, subjectId)' },
  optProfile: { zh: '展示配置：default、strict、patient_self_view、queue_screen', en: 'display profile: default, strict, patient_self_view, queue_screen' },
  optNdjson: { zh: '输入为 NDJSON（每行一个记录；.ndjson/.jsonl 自动识别）', en: 'input is NDJSON, one record per line (.ndjson/.jsonl detected)' },
  optKeyEnv: { zh: '存放密钥（hex 或 base64，≥16 字节）的环境变量名，用于假名化、FPE、日期偏移', en: 'environment variable holding the key (hex or base64, ≥ 16 bytes) for pseudonyms, FPE, date shifts' },
  optSubject: { zh: '数据主体 id（日期偏移用；FHIR 自动取患者 id）', en: 'data subject id (for date shifts; FHIR uses the patient id)' },
  optQi: { zh: '准标识符路径，逗号分隔（如 sex,birthYear,address.city）', en: 'quasi-identifier paths, comma-separated (e.g. sex,birthYear,address.city)' },
  optK: { zh: '要求的 k 值（默认 5）', en: 'required k (default 5)' },
  issues: { zh: '警告：以下掩码无法按规则执行，相关字段已隐藏', en: 'warning: these masks could not be applied as written; the fields were suppressed' },
  anonymous: { zh: '满足 k-匿名', en: 'k-anonymous' },
  notAnonymous: { zh: '不满足 k-匿名：以下记录可能被重新识别', en: 'not k-anonymous: these records could be re-identified' },
} as const;

interface ApplyOptions {
  readonly in?: string;
  readonly out?: string;
  readonly mask?: string[];
  readonly spec?: string;
  readonly profile?: string;
  readonly ndjson?: boolean;
  readonly keyEnv: string;
  readonly subject?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const usage = async (message: string, hint: string): Promise<Error> => {
  const { CustosError } = await import('../../lib/errors.js');
  return new CustosError('ERR_CLI_USAGE', { message, hint });
};

const readInput = async (file: string | undefined): Promise<string> => {
  const { readFileSync } = await import('node:fs');
  if (file !== undefined && file !== '-') return readFileSync(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const writeOutput = async (file: string | undefined, data: string): Promise<void> => {
  const { writeFileSync } = await import('node:fs');
  if (file !== undefined && file !== '-') writeFileSync(file, data, { mode: 0o600 });
  else process.stdout.write(data);
};

const parseRecords = async (raw: string, isNdjson: boolean, file: string | undefined): Promise<unknown[]> => {
  const { CustosError } = await import('../../lib/errors.js');
  const bad = (line: number | undefined, cause: unknown) =>
    new CustosError('ERR_MASKING_INVALID_DOCUMENT', {
      message: 'input is not valid JSON',
      at: { file: file ?? '<stdin>', ...(line === undefined ? {} : { line }) },
      hint: isNdjson ? 'NDJSON has one JSON value per line' : 'pass --ndjson for one record per line',
      cause,
    });
  if (!isNdjson) {
    try {
      return [JSON.parse(raw) as unknown];
    } catch (cause) {
      throw bad(undefined, cause);
    }
  }
  const records: unknown[] = [];
  raw.split('\n').forEach((line, i) => {
    if (line.trim().length === 0) return;
    try {
      records.push(JSON.parse(line) as unknown);
    } catch (cause) {
      throw bad(i + 1, cause);
    }
  });
  return records;
};

const readKey = async (name: string): Promise<Uint8Array | undefined> => {
  const value = process.env[name];
  if (value === undefined || value.length === 0) return undefined;
  const bytes = /^[0-9a-fA-F]+$/u.test(value) && value.length % 2 === 0 ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length < 16) throw await usage(`the key in ${name} decodes to fewer than 16 bytes`, 'e.g. export CUSTOS_MASKING_KEY=$(openssl rand -hex 32)');
  return new Uint8Array(bytes);
};

interface SpecFile {
  masks?: unknown;
  profile?: unknown;
  subjectId?: unknown;
}

const loadSpec = async (file: string | undefined, pairs: readonly string[]): Promise<{ masks: unknown[]; profile?: string; subjectId?: string }> => {
  const masks: unknown[] = [];
  let profile: string | undefined;
  let subjectId: string | undefined;
  if (file !== undefined) {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const parsed = parse(readFileSync(file, 'utf8')) as SpecFile | Record<string, string> | unknown[];
    const body: SpecFile = Array.isArray(parsed) || (typeof parsed === 'object' && parsed !== null && !('masks' in parsed)) ? { masks: parsed } : (parsed as SpecFile);
    if (Array.isArray(body.masks)) masks.push(...(body.masks as unknown[]));
    else if (typeof body.masks === 'object' && body.masks !== null) {
      for (const [path, rule] of Object.entries(body.masks)) masks.push({ path, rule });
    } else throw await usage(`spec file ${file} has no masks`, 'write masks: { "Patient.telecom": phone_mobile } or a list of { path, rule, params }');
    if (typeof body.profile === 'string') profile = body.profile;
    if (typeof body.subjectId === 'string') subjectId = body.subjectId;
  }
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) throw await usage('each --mask is path=rule', '--mask Patient.telecom=phone_mobile --mask name=person_name');
    masks.push({ path: pair.slice(0, at), rule: pair.slice(at + 1) });
  }
  if (masks.length === 0) throw await usage('no masks given', 'use --mask path=rule or --spec file.yaml');
  return { masks, ...(profile === undefined ? {} : { profile }), ...(subjectId === undefined ? {} : { subjectId }) };
};

const runApply = async (ctx: CliContext, options: ApplyOptions): Promise<void> => {
  const masking = await import('../../masking/index.js');
  const spec = await loadSpec(options.spec, options.mask ?? []);
  const profile = options.profile ?? spec.profile ?? 'default';
  if (!masking.isMaskProfile(profile)) {
    throw await usage('unknown profile', `use one of: ${masking.MASK_PROFILES.join(', ')}`);
  }
  const key = await readKey(options.keyEnv);
  const isNdjson = options.ndjson === true || /\.(ndjson|jsonl)$/u.test(options.in ?? '');
  const records = await parseRecords(await readInput(options.in), isNdjson, options.in);
  const subjectId = options.subject ?? spec.subjectId;
  const compiled = masking.compileMasks(spec.masks as Parameters<typeof masking.compileMasks>[0], {
    profile,
    ...(key === undefined ? {} : { key }),
    ...(subjectId === undefined ? {} : { subjectId }),
  });
  key?.fill(0);
  const issues = new Map<string, { code: string; path: string; rule: string; count: number }>();
  const out: unknown[] = [];
  try {
    for (const record of records) {
      const result = compiled.apply(record);
      out.push(result.document);
      for (const issue of result.issues) {
        const id = `${issue.code} ${issue.path} ${issue.rule}`;
        const seen = issues.get(id);
        if (seen) seen.count += issue.count;
        else issues.set(id, { code: issue.code, path: issue.path, rule: issue.rule, count: issue.count });
      }
    }
  } finally {
    compiled.dispose();
  }
  const body = isNdjson ? out.map((r) => `${JSON.stringify(r)}\n`).join('') : `${JSON.stringify(out[0], null, 2)}\n`;
  await writeOutput(options.out, body);
  if (issues.size > 0) {
    process.stderr.write(`${ctx.t(text.issues)}\n`);
    for (const i of issues.values()) process.stderr.write(`  ${i.code} ${i.path} (${i.rule}) ×${i.count}\n`);
    ctx.setExitCode(1);
  }
};

/** `custos mask …`: masking and de-identification from the command line. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  const mask = program.command('mask').description(pick(text.mask, lang));

  mask
    .command('apply')
    .description(pick(text.apply, lang))
    .argument('[file]', pick(text.optIn, lang))
    .option('-o, --out <file>', pick(text.optOut, lang))
    .option('-m, --mask <path=rule>', pick(text.optMask, lang), collect)
    .option('-s, --spec <file>', pick(text.optSpec, lang))
    .option('-p, --profile <name>', pick(text.optProfile, lang))
    .option('--ndjson', pick(text.optNdjson, lang))
    .option('--key-env <name>', pick(text.optKeyEnv, lang), 'CUSTOS_MASKING_KEY')
    .option('--subject <id>', pick(text.optSubject, lang))
    .action(async (file: string | undefined, options: Omit<ApplyOptions, 'in'>) => {
      await runApply(context(), { ...options, ...(file === undefined ? {} : { in: file }) });
    });

  mask
    .command('value')
    .description(pick(text.value, lang))
    .argument('<type>', 'person_name | cn_resident_id | phone_mobile | …')
    .argument('<value>')
    .option('-p, --profile <name>', pick(text.optProfile, lang), 'default')
    .action(async (type: string, value: string, options: { profile: string }) => {
      const ctx = context();
      const masking = await import('../../masking/index.js');
      if (!masking.isMaskProfile(options.profile)) throw await usage('unknown profile', `use one of: ${masking.MASK_PROFILES.join(', ')}`);
      const masked = masking.maskValue(type, value, options.profile);
      ctx.result(masked ?? '', { type: masking.resolvePiType(type) ?? 'generic', profile: options.profile, masked });
    });

  mask
    .command('check')
    .description(pick(text.check, lang))
    .argument('[file]', pick(text.optIn, lang))
    .requiredOption('--qi <paths>', pick(text.optQi, lang))
    .option('-k, --k <n>', pick(text.optK, lang), '5')
    .option('--ndjson', pick(text.optNdjson, lang))
    .action(async (file: string | undefined, options: { qi: string; k: string; ndjson?: boolean }) => {
      const ctx = context();
      const masking = await import('../../masking/index.js');
      const k = Number(options.k);
      if (!Number.isInteger(k) || k < 1) throw await usage('--k must be a whole number ≥ 1', '--k 5');
      const isNdjson = options.ndjson === true || /\.(ndjson|jsonl)$/u.test(file ?? '');
      const parsed = await parseRecords(await readInput(file), isNdjson, file);
      const records = isNdjson ? parsed : Array.isArray(parsed[0]) ? (parsed[0] as unknown[]) : parsed;
      const report = masking.kAnonymity(records, options.qi.split(',').map((s) => s.trim()).filter(Boolean), k);
      const lines = [
        `k = ${report.k} (${ctx.t({ zh: '要求', en: 'required' })} ${report.threshold}); ${report.records} ${ctx.t({ zh: '条记录', en: 'records' })}, ${report.classes} ${ctx.t({ zh: '个等价类', en: 'classes' })}`,
        report.isAnonymous ? ctx.t(text.anonymous) : ctx.t(text.notAnonymous),
        ...report.violations.slice(0, 50).map((v) => `  ${JSON.stringify(v.values)} ×${v.records.length}: #${v.records.join(', #')}`),
      ];
      ctx.result(lines.join('\n'), report);
      if (!report.isAnonymous) ctx.setExitCode(3);
    });

  mask
    .command('rules')
    .description(pick(text.rules, lang))
    .action(async () => {
      const ctx = context();
      const { MASK_RULES, OPERATOR_ALIAS_TABLE } = await import('../../masking/index.js');
      const lines = MASK_RULES.map((r) => `${r.name.padEnd(22)} ${r.kind.padEnd(11)} ${r.description}`);
      const aliases = Object.entries(OPERATOR_ALIAS_TABLE).map(([alias, rule]) => `${alias.padEnd(22)} alias       → ${rule}`);
      ctx.result([...lines, ...aliases].join('\n'), MASK_RULES);
    });
};
