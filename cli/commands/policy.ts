import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CustosError, formatLocation, isCustosError } from '../../lib/errors.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { pick, type Lang } from '../i18n.js';

const text = {
  policy: { zh: '策略：校验、测试、解释决策', en: 'policies: validate, test, explain decisions' },
  validate: { zh: '加载并校验策略集，列出全部错误（文件:行:列）', en: 'load and validate a policy set, listing every error (file:line:column)' },
  test: { zh: '运行策略测试（请求 → 期望的决策、字段、脱敏）', en: 'run policy tests (request → expected decision, fields, masks)' },
  explain: { zh: '解释一个请求的决策：哪些规则匹配、为什么', en: 'explain the decision on one request: which rules matched and why' },
  optPolicies: { zh: '策略目录（默认：<目录>/policy 或配置 policy.dir）', en: 'policy folder (default: <dir>/policy or config policy.dir)' },
  optEntities: { zh: '实体数据目录（默认：<目录>/entities 或配置 entities.dir）', en: 'entity data folder (default: <dir>/entities or config entities.dir)' },
  optNow: { zh: '决策时间（ISO 8601），用于同意书有效期与年龄', en: 'decision time (ISO 8601) for consent validity and ages' },
} as const;

/** Where a policy folder, its entities and its tests are, from a directory laid out like examples/hospital. */
const layout = (dir: string | undefined, opts: { policies?: string; entities?: string }, fallback: { policy: string; entities: string }) => {
  const sub = (name: string): string | undefined => (dir && existsSync(join(dir, name)) ? join(dir, name) : undefined);
  const policies = opts.policies ?? sub('policy') ?? sub('policies') ?? dir ?? fallback.policy;
  const entities = opts.entities ?? sub('entities') ?? (dir ? undefined : fallback.entities);
  const tests = sub('tests') ?? dir;
  return { policies, entities, tests };
};

const printIssues = (ctx: CliContext, err: unknown): boolean => {
  if (!isCustosError(err) || err.code !== 'ERR_POLICY_INVALID' || !Array.isArray(err.details?.errors)) return false;
  const errors = err.details.errors as { code: string; message: string; hint: string; at: { file: string; line: number; column: number } }[];
  const lines = errors.map((e) => `${formatLocation(e.at)}: ${e.code} ${e.message}\n    ${ctx.t({ zh: '修复', en: 'fix' })}: ${e.hint}`);
  lines.push(ctx.t({ zh: `共 ${errors.length} 个错误`, en: `${errors.length} error${errors.length === 1 ? '' : 's'}` }));
  ctx.result(lines.join('\n'), { ok: false, errors });
  ctx.setExitCode(ExitCode.failure);
  return true;
};

/** `custos policy validate|test|explain`. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  const policy = program.command('policy').description(pick(text.policy, lang));

  policy
    .command('validate')
    .argument('[dir]', 'policy folder')
    .description(pick(text.validate, lang))
    .action(async (dir: string | undefined) => {
      const ctx = context();
      const { loadPolicySet } = await import('../../policy/index.js');
      const where = layout(dir, {}, { policy: dir ?? ctx.config().policy.dir, entities: '' }).policies;
      try {
        const set = loadPolicySet(where);
        const types = Object.keys(set.resourceTypes);
        ctx.result(
          ctx.t({
            zh: `策略集有效：${set.ruleCount} 条规则，${types.length} 种资源（${types.join('、')}），${set.files.length} 个文件\n版本 ${set.version}`,
            en: `policy set is valid: ${set.ruleCount} rules, ${types.length} resource types (${types.join(', ')}), ${set.files.length} files\nversion ${set.version}`,
          }),
          { ok: true, version: set.version, rules: set.ruleCount, resourceTypes: types, files: set.files },
        );
      } catch (err) {
        if (!printIssues(ctx, err)) throw err;
      }
    });

  policy
    .command('test')
    .argument('[dir]', 'folder with policy/, entities/ and tests/ (or a folder of test suites)')
    .option('--policies <dir>', pick(text.optPolicies, lang))
    .option('--entities <dir>', pick(text.optEntities, lang))
    .description(pick(text.test, lang))
    .action(async (dir: string | undefined, opts: { policies?: string; entities?: string }) => {
      const ctx = context();
      const fallback = dir ? { policy: '', entities: '' } : { policy: ctx.config().policy.dir, entities: ctx.config().entities.dir };
      const where = layout(dir, opts, fallback);
      const { loadPolicySet, loadPolicyTests, runPolicyTests, formatTestReport } = await import('../../policy/index.js');
      const { createEngine, openEntityStore } = await import('../../pdp/index.js');
      const { manualClock } = await import('../../lib/clock.js');
      let set;
      let suites;
      try {
        set = loadPolicySet(where.policies);
        suites = loadPolicyTests(where.tests ?? where.policies);
      } catch (err) {
        if (printIssues(ctx, err)) return;
        throw err;
      }
      if (suites.length === 0) {
        throw new CustosError('ERR_POLICY_TEST_INVALID', { at: { file: where.tests ?? '.' }, message: 'no test suites found', hint: 'put YAML suites under <dir>/tests' });
      }
      const entities = openEntityStore({ file: ':memory:' });
      try {
        if (where.entities && existsSync(where.entities)) entities.importEntities(where.entities);
        const clock = manualClock(Date.now());
        const engine = createEngine({ policySet: set, entities, clock });
        const report = runPolicyTests(suites, (request, nowMs) => {
          clock.set(nowMs ?? Date.now());
          return engine.decide(request as never);
        });
        const human = formatTestReport(report, {
          pass: ctx.t({ zh: '通过', en: 'PASS' }),
          fail: ctx.t({ zh: '失败', en: 'FAIL' }),
          summary: (p, f) => ctx.t({ zh: `${p} 个通过，${f} 个失败`, en: `${p} passed, ${f} failed` }),
        });
        ctx.result(human, { ok: report.failed === 0, passed: report.passed, failed: report.failed, results: report.results });
        if (report.failed > 0) ctx.setExitCode(ExitCode.verification);
      } finally {
        entities.close();
      }
    });

  policy
    .command('explain')
    .argument('<request>', 'request JSON file (AuthZEN evaluation request)')
    .option('--policies <dir>', pick(text.optPolicies, lang))
    .option('--entities <dir>', pick(text.optEntities, lang))
    .option('--now <time>', pick(text.optNow, lang))
    .description(pick(text.explain, lang))
    .action(async (requestFile: string, opts: { policies?: string; entities?: string; now?: string }) => {
      const ctx = context();
      let request: unknown;
      try {
        if (statSync(requestFile).size > 1024 * 1024) throw new Error('too large');
        request = JSON.parse(readFileSync(requestFile, 'utf8')) as unknown;
      } catch (cause) {
        throw new CustosError('ERR_POLICY_TEST_INVALID', { at: { file: requestFile }, message: 'cannot read the request as JSON', hint: 'give a file holding one AuthZEN evaluation request', cause, details: { exitCode: ExitCode.usage } });
      }
      const nowMs = opts.now === undefined ? Date.now() : Date.parse(opts.now);
      if (!Number.isFinite(nowMs)) {
        throw new CustosError('ERR_POLICY_TEST_INVALID', { message: '--now is not an ISO 8601 time', hint: 'write e.g. 2026-06-01T09:00:00+08:00', details: { exitCode: ExitCode.usage } });
      }
      const { loadPolicySet } = await import('../../policy/index.js');
      const { createEngine, openEntityStore } = await import('../../pdp/index.js');
      const { manualClock } = await import('../../lib/clock.js');
      let set;
      try {
        set = loadPolicySet(opts.policies ?? ctx.config().policy.dir);
      } catch (err) {
        if (printIssues(ctx, err)) return;
        throw err;
      }
      const entities = openEntityStore({ file: ':memory:' });
      try {
        const entityDir = opts.entities ?? ctx.config().entities.dir;
        if (existsSync(entityDir)) entities.importEntities(entityDir);
        const engine = createEngine({ policySet: set, entities, clock: manualClock(nowMs) });
        const e = engine.explain(request as never);
        const d = e.decision;
        const lines = [
          `${ctx.t({ zh: '决策', en: 'decision' })}: ${d.decision ? ctx.t({ zh: '允许', en: 'ALLOW' }) : ctx.t({ zh: '拒绝', en: 'DENY' })}   (${set.version.slice(0, 19)}…)`,
          `${ctx.t({ zh: '原因', en: 'reasons' })}:`,
          ...d.context.reasons.map((r) => `  - ${r.id}${r.effect ? ` [${r.effect}]` : ''}: ${typeof r.message === 'string' ? r.message : pick(r.message, ctx.lang)}`),
        ];
        if (d.context.fields) lines.push(`${ctx.t({ zh: '字段', en: 'fields' })}: ${d.context.fields.join(', ')}`);
        if (d.context.masks) lines.push(`${ctx.t({ zh: '脱敏', en: 'masks' })}: ${Object.entries(d.context.masks).map(([k, v]) => `${k}=${v}`).join(', ')}`);
        if (d.context.obligations.length > 0) lines.push(`${ctx.t({ zh: '义务', en: 'obligations' })}: ${d.context.obligations.map((o) => o.type + (o.field ? `(${o.field}${o.rule ? `→${o.rule}` : ''})` : '')).join(', ')}`);
        lines.push(`${ctx.t({ zh: '规则', en: 'rules' })}:`);
        const why: Record<string, { zh: string; en: string }> = {
          matched: { zh: '匹配', en: 'matched' },
          'subject-type': { zh: '主体类型不适用', en: 'not for this subject type' },
          static: { zh: '主体/角色/上下文条件不满足', en: 'subject, role or context condition not met' },
          resource: { zh: '资源条件不满足', en: 'resource condition not met' },
          residual: { zh: '同意书/关系/患者/操作属性条件不满足', en: 'consent, relationship, patient or action condition not met' },
        };
        for (const r of e.rules) lines.push(`  ${r.outcome === 'matched' ? '✓' : '·'} ${r.id} [${r.effect}] ${pick(why[r.outcome]!, ctx.lang)}${r.onUnknown ? ctx.t({ zh: '（属性缺失，按拒绝处理）', en: ' (attribute missing: fail closed)' }) : ''}`);
        ctx.result(lines.join('\n'), { decision: d, rules: e.rules });
      } finally {
        entities.close();
      }
    });
};
