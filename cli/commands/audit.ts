import type { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import type { CliContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { pick, type Lang } from '../i18n.js';
import { CustosError } from '../../lib/errors.js';
import type { AuditQuery, Finding } from '../../audit/index.js';

const text = {
  audit: { zh: '审计日志：校验、查询、导出、检查点、归档', en: 'audit log: verify, query, export, checkpoint, seal' },
  verify: { zh: '重算哈希链与 Merkle 树并校验检查点签名；发现篡改时退出码为 3', en: 'recompute the hash chain and Merkle tree and check checkpoint signatures; exit code 3 on tampering' },
  query: { zh: '按时间、主体、资源、患者、决策结果、紧急授权查询审计事件', en: 'query audit events by time, subject, resource, patient, decision, break-glass' },
  export: { zh: '导出为 JSON Lines 证据包（含签名检查点与包含证明），可离线校验', en: 'export a JSON Lines evidence bundle (signed checkpoint, inclusion proofs), verifiable offline' },
  checkpoint: { zh: '立即签发检查点（C2SP signed note），供审计方保存', en: 'sign a checkpoint now (C2SP signed note) for auditors to keep' },
  key: { zh: '显示审计日志的验证公钥（审计方应另行保存）', en: 'print the log\'s verifier key (auditors keep their own copy)' },
  seal: { zh: '将超过保存期的旧段封存为可校验的归档文件', en: 'seal segments older than the retention period into verifiable archives' },
  append: { zh: '追加一条审计事件（JSON，仅限标识符，不得含个人信息）', en: 'append one audit event (JSON, ids only, no personal data)' },
  optFile: { zh: '审计数据库文件（默认 <数据目录>/audit/audit.db）', en: 'audit database file (default <dataDir>/audit/audit.db)' },
  optKey: { zh: '可信验证公钥（文本或文件），可重复', en: 'trusted verifier key (text or file), repeatable' },
  optCheckpoint: { zh: '审计方此前保存的检查点文件，可重复', en: 'checkpoint file saved earlier by the auditor, repeatable' },
  optBundle: { zh: '离线校验导出的证据包', en: 'verify an exported bundle offline' },
  optOut: { zh: '输出文件', en: 'output file' },
  optFrom: { zh: '起始时间（含，ISO 8601 或毫秒）', en: 'from time (inclusive, ISO 8601 or ms)' },
  optTo: { zh: '结束时间（不含）', en: 'to time (exclusive)' },
  optSubject: { zh: '主体 ID', en: 'subject id' },
  optResource: { zh: '资源 ID', en: 'resource id' },
  optPatient: { zh: '患者 ID（个人信息保护法第 45 条查询）', en: 'patient id (PIPL art. 45 requests)' },
  optDecision: { zh: '决策结果 permit 或 deny', en: 'decision permit or deny' },
  optBreakGlass: { zh: '仅紧急授权（break-glass）', en: 'break-glass only' },
  optKind: { zh: '事件类型', en: 'event kind' },
  optLimit: { zh: '最多条数', en: 'maximum entries' },
  optDays: { zh: '封存早于多少天的事件（默认取 audit.retentionDays）', en: 'seal events older than this many days (default audit.retentionDays)' },
  optArchive: { zh: '归档目录（默认 <数据目录>/audit/archive）', en: 'archive folder (default <dataDir>/audit/archive)' },
  verified: { zh: '审计日志校验通过', en: 'audit log verified' },
  bundleVerified: { zh: '证据包校验通过', en: 'bundle verified' },
  failed: { zh: '审计日志校验未通过，发现以下篡改', en: 'audit log verification FAILED; alterations found' },
  entries: { zh: '条事件', en: 'entries' },
  checkpoints: { zh: '个检查点', en: 'checkpoints' },
  keyFromLog: { zh: '注意：未指定 --key，使用日志自身记录的公钥（可被有写权限者替换）', en: 'note: no --key given; used the key recorded in the log itself (replaceable by whoever can write it)' },
  exported: { zh: '已导出', en: 'exported' },
  noLog: { zh: '审计日志不存在', en: 'no audit log at' },
  sealed: { zh: '已封存', en: 'sealed' },
  nothingToSeal: { zh: '没有可封存的旧事件', en: 'nothing old enough to seal' },
  appended: { zh: '已追加', en: 'appended' },
  argEvent: { zh: '事件 JSON', en: 'event JSON' },
} as const;

const kinds: Readonly<Record<Finding['kind'], { zh: string; en: string }>> = {
  modified: { zh: '被修改', en: 'modified' },
  deleted: { zh: '被删除', en: 'deleted' },
  inserted: { zh: '被插入', en: 'inserted' },
  reordered: { zh: '顺序被调换', en: 'reordered' },
  truncated: { zh: '尾部被截断', en: 'truncated' },
  renumbered: { zh: '序号被改写', en: 'renumbered' },
  'chain-broken': { zh: '链断裂', en: 'chain broken' },
  'forged-checkpoint': { zh: '检查点伪造', en: 'forged checkpoint' },
  'checkpoint-mismatch': { zh: '与检查点不符', en: 'checkpoint mismatch' },
  'tile-mismatch': { zh: '树分片不符', en: 'tile mismatch' },
  'triggers-missing': { zh: '只追加触发器被删除', en: 'append-only triggers dropped' },
  malformed: { zh: '格式错误', en: 'malformed' },
};

interface FilterOptions {
  readonly from?: string;
  readonly to?: string;
  readonly subject?: string;
  readonly resource?: string;
  readonly patient?: string;
  readonly decision?: string;
  readonly breakGlass?: boolean;
  readonly kind?: string;
  readonly limit?: string;
}

interface CommonOptions extends FilterOptions {
  readonly file?: string;
  readonly key?: string[];
  readonly checkpoint?: string[];
  readonly bundle?: string;
  readonly out?: string;
  readonly olderThanDays?: string;
  readonly archiveDir?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const usage = (message: string): CustosError => new CustosError('ERR_AUDIT_USAGE', { message, details: { exitCode: ExitCode.usage } });

const toQuery = (o: FilterOptions): AuditQuery => {
  const time = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : v);
  if (o.decision !== undefined && o.decision !== 'permit' && o.decision !== 'deny') throw usage('--decision must be permit or deny');
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw usage('--limit must be a positive integer');
  const q: Record<string, unknown> = {
    from: time(o.from),
    to: time(o.to),
    subjectId: o.subject,
    resourceId: o.resource,
    patientId: o.patient,
    decision: o.decision,
    breakGlass: o.breakGlass === true ? true : undefined,
    kind: o.kind,
    limit,
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as AuditQuery;
};

const readKey = (value: string): string => (existsSync(value) ? readFileSync(value, 'utf8').trim() : value.trim());

const addFilters = (cmd: Command, lang: Lang): Command =>
  cmd
    .option('--from <time>', pick(text.optFrom, lang))
    .option('--to <time>', pick(text.optTo, lang))
    .option('--subject <id>', pick(text.optSubject, lang))
    .option('--resource <id>', pick(text.optResource, lang))
    .option('--patient <id>', pick(text.optPatient, lang))
    .option('--decision <permit|deny>', pick(text.optDecision, lang))
    .option('--break-glass', pick(text.optBreakGlass, lang))
    .option('--kind <kind>', pick(text.optKind, lang))
    .option('--limit <n>', pick(text.optLimit, lang));

const formatFindings = (ctx: CliContext, findings: readonly Finding[]): string =>
  findings
    .map((f) => {
      const where = f.seq === undefined ? '' : f.toSeq === undefined ? ` seq ${f.seq}` : ` seq ${f.seq}..${f.toSeq}`;
      return `  [${ctx.t(kinds[f.kind])}]${where}: ${f.message}`;
    })
    .join('\n');

/** `custos audit verify|query|export|checkpoint|key|seal|append`. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  const audit = program.command('audit').description(pick(text.audit, lang));
  const fileOf = (ctx: CliContext, o: CommonOptions): string => o.file ?? join(ctx.config().dataDir, 'audit', 'audit.db');
  const open = async (ctx: CliContext, o: CommonOptions, readonly: boolean) => {
    const file = fileOf(ctx, o);
    if (!existsSync(file)) throw new CustosError('ERR_AUDIT_NOT_FOUND', { message: `${ctx.t(text.noLog)} ${file}`, hint: 'pass --file or --data-dir' });
    const { openAuditLog } = await import('../../audit/index.js');
    const config = ctx.config();
    return openAuditLog({ file, readonly, groupCommitMs: config.audit.groupCommitMs });
  };

  audit
    .command('verify')
    .description(pick(text.verify, lang))
    .option('--file <db>', pick(text.optFile, lang))
    .option('--key <vkey>', pick(text.optKey, lang), collect)
    .option('--checkpoint <file>', pick(text.optCheckpoint, lang), collect)
    .option('--bundle <file>', pick(text.optBundle, lang))
    .action(async (o: CommonOptions) => {
      const ctx = context();
      const keys = o.key?.map(readKey);
      if (o.bundle !== undefined) {
        const { verifyBundle } = await import('../../audit/index.js');
        const report = verifyBundle(readFileSync(o.bundle, 'utf8'), keys === undefined ? {} : { verifierKeys: keys });
        if (keys === undefined) ctx.info(ctx.t(text.keyFromLog));
        const human = report.ok
          ? `${ctx.t(text.bundleVerified)}: ${report.entries} ${ctx.t(text.entries)}, tree size ${report.treeSize}`
          : `${ctx.t(text.failed)}:\n${formatFindings(ctx, report.findings)}`;
        ctx.result(human, report);
        if (!report.ok) ctx.setExitCode(ExitCode.verification);
        return;
      }
      const log = await open(ctx, o, true);
      try {
        if (keys === undefined) ctx.info(ctx.t(text.keyFromLog));
        const saved = (o.checkpoint ?? []).map((f) => readFileSync(f, 'utf8'));
        const report = await log.verifyParallel({ ...(keys === undefined ? {} : { verifierKeys: keys }), savedCheckpoints: saved });
        const human = report.ok
          ? `${ctx.t(text.verified)}: ${report.entries} ${ctx.t(text.entries)}, ${report.checkpointsChecked} ${ctx.t(text.checkpoints)}, root ${report.root} (${report.algorithm}, ${Math.round(report.ms)} ms)`
          : `${ctx.t(text.failed)}:\n${formatFindings(ctx, report.findings)}`;
        ctx.result(human, report);
        if (!report.ok) ctx.setExitCode(ExitCode.verification);
      } finally {
        await log.close();
      }
    });

  addFilters(audit.command('query').description(pick(text.query, lang)).option('--file <db>', pick(text.optFile, lang)), lang).action(async (o: CommonOptions) => {
    const ctx = context();
    const log = await open(ctx, o, true);
    try {
      const entries = log.query(toQuery(o));
      const human = entries.map((e) => `${e.seq}\t${new Date(e.ts).toISOString()}\t${JSON.stringify(e.event)}`).join('\n');
      ctx.result(human, entries);
    } finally {
      await log.close();
    }
  });

  addFilters(
    audit.command('export').description(pick(text.export, lang)).option('--file <db>', pick(text.optFile, lang)).requiredOption('-o, --out <file>', pick(text.optOut, lang)),
    lang,
  ).action(async (o: CommonOptions) => {
    const ctx = context();
    const log = await open(ctx, o, false);
    const { writeBundle } = await import('../../audit/index.js');
    const fd = openSync(o.out as string, 'w', 0o600);
    try {
      const result = await writeBundle(log, toQuery(o), (line) => writeSync(fd, line));
      fsyncSync(fd);
      ctx.result(`${ctx.t(text.exported)} ${result.entries} ${ctx.t(text.entries)} → ${o.out} (tree size ${result.checkpoint.size})`, {
        file: o.out,
        entries: result.entries,
        treeSize: result.checkpoint.size,
        root: result.checkpoint.root,
      });
    } finally {
      closeSync(fd);
      await log.close();
    }
  });

  audit
    .command('checkpoint')
    .description(pick(text.checkpoint, lang))
    .option('--file <db>', pick(text.optFile, lang))
    .option('-o, --out <file>', pick(text.optOut, lang))
    .action(async (o: CommonOptions) => {
      const ctx = context();
      const log = await open(ctx, o, false);
      try {
        const cp = await log.checkpoint();
        if (o.out !== undefined) writeFileSync(o.out, cp.note);
        ctx.result(cp.note, { size: cp.size, root: cp.root, time: cp.time, note: cp.note });
      } finally {
        await log.close();
      }
    });

  audit
    .command('key')
    .description(pick(text.key, lang))
    .option('--file <db>', pick(text.optFile, lang))
    .action(async (o: CommonOptions) => {
      const ctx = context();
      const log = await open(ctx, o, true);
      try {
        ctx.result(log.verifierKey ?? '', { verifierKey: log.verifierKey, origin: log.origin, algorithm: log.algorithm });
      } finally {
        await log.close();
      }
    });

  audit
    .command('seal')
    .description(pick(text.seal, lang))
    .option('--file <db>', pick(text.optFile, lang))
    .option('--older-than-days <n>', pick(text.optDays, lang))
    .option('--archive-dir <dir>', pick(text.optArchive, lang))
    .action(async (o: CommonOptions) => {
      const ctx = context();
      const config = ctx.config();
      const days = o.olderThanDays === undefined ? config.audit.retentionDays : Number(o.olderThanDays);
      if (!Number.isSafeInteger(days) || days < 1) throw usage('--older-than-days must be a positive integer');
      const log = await open(ctx, o, false);
      try {
        const { sealSegment } = await import('../../audit/index.js');
        const result = await sealSegment(log, { olderThanDays: days, archiveDir: o.archiveDir ?? join(config.dataDir, 'audit', 'archive'), now: Date.now() });
        ctx.result(
          result.sealed ? `${ctx.t(text.sealed)} seq ${result.fromSeq}..${result.toSeq - 1} → ${result.archive}` : ctx.t(text.nothingToSeal),
          result,
        );
      } finally {
        await log.close();
      }
    });

  audit
    .command('append')
    .description(pick(text.append, lang))
    .argument('<json>', pick(text.argEvent, lang))
    .option('--file <db>', pick(text.optFile, lang))
    .action(async (json: string, o: CommonOptions) => {
      const ctx = context();
      let event: unknown;
      try {
        event = JSON.parse(json);
      } catch {
        throw usage('the event must be JSON');
      }
      const { openAuditLog } = await import('../../audit/index.js');
      const config = ctx.config();
      const log = openAuditLog({ file: fileOf(ctx, o), hash: config.audit.hash });
      try {
        const result = await log.append(event as never);
        ctx.result(`${ctx.t(text.appended)} seq ${result.seq}`, result);
      } finally {
        await log.close();
      }
    });
};
