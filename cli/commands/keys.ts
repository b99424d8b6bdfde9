import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { Keystore, KmsEvent } from '../../kms/index.js';
import { pick, type Lang } from '../i18n.js';

const text = {
  keys: { zh: '密钥管理：密钥库、轮换、停用、销毁、数据密钥重新包裹与加密迁移、加密删除', en: 'key management: keystore, rotation, disabling, destruction, re-wrapping, re-encryption, crypto-shredding' },
  init: { zh: '创建密钥库（根密钥来自 CUSTOS_ROOT_KEY 或 kms.rootKeyFile）及默认包裹密钥 records-kek', en: 'create the keystore (root key from CUSTOS_ROOT_KEY or kms.rootKeyFile) and the default wrapping key records-kek' },
  optEmpty: { zh: '不创建默认密钥', en: 'create no default key' },
  create: { zh: '创建密钥', en: 'create a key' },
  optAlgorithm: { zh: '算法：aes-256、rsa-3072、hmac-sha256、hmac-sm3', en: 'algorithm: aes-256, rsa-3072, hmac-sha256, hmac-sm3' },
  optPurpose: { zh: '用途：wrap、blind-index、pseudonym', en: 'purpose: wrap, blind-index, pseudonym' },
  list: { zh: '列出密钥', en: 'list keys' },
  status: { zh: '密钥状态：版本、轮换期限、数据密钥数量、证书到期', en: 'key status: versions, rotation age, data key counts, certificate expiry' },
  optCerts: { zh: '证书目录（默认 server.tlsDir）', en: 'certificate folder (default server.tlsDir)' },
  rotate: { zh: '轮换密钥（新版本；旧版本仍可解密）', en: 'rotate a key (new version; old versions keep decrypting)' },
  disable: { zh: '停用密钥', en: 'disable a key' },
  enable: { zh: '启用密钥', en: 'enable a key' },
  schedule: { zh: '计划销毁密钥（等待期内不可使用）', en: 'schedule the destruction of a key (unusable while pending)' },
  optDays: { zh: '等待天数', en: 'days to wait' },
  cancel: { zh: '取消计划中的销毁', en: 'cancel a scheduled destruction' },
  destroy: { zh: '销毁密钥（不可恢复）', en: 'destroy a key (irreversible)' },
  rewrap: { zh: '用包裹密钥的当前版本重新包裹所有数据密钥（不改动数据）', en: 're-wrap every data key under the current version of the wrapping key (data untouched)' },
  optKey: { zh: '包裹密钥 id', en: 'wrapping key id' },
  reencrypt: { zh: '批量重新加密 SQLite 表中的加密列（可中断后继续）', en: 're-encrypt sealed columns of a SQLite table in batches (resumable)' },
  optDb: { zh: 'SQLite 数据库文件', en: 'SQLite database file' },
  optTable: { zh: '表名', en: 'table name' },
  optIdColumn: { zh: '记录 id 列', en: 'record id column' },
  optScopeColumn: { zh: '数据主体（或租户）id 列', en: 'data subject (or tenant) id column' },
  optTenant: { zh: '按租户而非数据主体划分数据密钥', en: 'data keys per tenant rather than per data subject' },
  optRecordType: { zh: '记录类型（加密时的 recordType）', en: 'record type (the recordType fields were sealed with)' },
  optColumn: { zh: '加密列，可写作 列名:字段路径，可重复', en: 'sealed column, as column or column:fieldPath, repeatable' },
  optSuite: { zh: '新数据密钥的算法套件（默认 kms.fieldSuite）', en: 'suite of new data keys (default kms.fieldSuite)' },
  optBatch: { zh: '每批行数', en: 'rows per batch' },
  shred: { zh: '加密删除：销毁某数据主体（或租户）的数据密钥，使其全部加密字段不可读（个人信息保护法第47条）', en: "crypto-shredding: destroy a data subject's (or tenant's) data key so every field sealed under it is unreadable (PIPL art. 47)" },
  optSubject: { zh: '数据主体 id', en: 'data subject id' },
  optTenantId: { zh: '租户 id', en: 'tenant id' },
  overdue: { zh: '超过轮换期限', en: 'past rotation period' },
  created: { zh: '已创建密钥库', en: 'created keystore' },
  progress: { zh: '进度', en: 'progress' },
  complete: { zh: '完成', en: 'complete' },
  interrupted: { zh: '未完成，再次运行将继续', en: 'not finished; run again to resume' },
  shredded: { zh: '已销毁数据密钥版本数', en: 'data key versions destroyed' },
  rewrapped: { zh: '已重新包裹数据密钥数', en: 'data keys re-wrapped' },
  dataKeys: { zh: '数据密钥', en: 'data keys' },
  certificates: { zh: '证书', en: 'certificates' },
} as const;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

// KmsEvent → audit KeyEvent operation; events without an audit operation are not recorded.
const auditOperations: Readonly<Partial<Record<KmsEvent['type'], 'create' | 'rotate' | 'disable' | 'destroy' | 'crypto-shred'>>> = {
  'key.created': 'create',
  'key.rotated': 'rotate',
  'key.disabled': 'disable',
  'key.destroyed': 'destroy',
  'data-key.shredded': 'crypto-shred',
};

/**
 * Records key operations in the audit log (`<dataDir>/audit/audit.db`) when `audit.enabled`:
 * ids only. A failure to record is an error (exit 1): the operation happened but is unproven.
 */
const recordEvents = async (ctx: CliContext, events: readonly KmsEvent[]): Promise<void> => {
  const config = ctx.config();
  const mapped = events.flatMap((e) => {
    const operation = auditOperations[e.type];
    if (operation === undefined) return [];
    const keyId = e.keyId ?? `data-key:${e.scope ?? 'subject'}`;
    return [{
      kind: 'key' as const,
      keyId,
      operation,
      actorId: 'custos-cli',
      ...(e.version === undefined ? {} : { keyVersion: e.version }),
      ...(e.scope === 'subject' && e.scopeId !== undefined ? { dataSubjectId: e.scopeId } : {}),
    }];
  });
  if (!config.audit.enabled || mapped.length === 0) return;
  const { openAuditLog } = await import('../../audit/index.js');
  const { join } = await import('node:path');
  const log = openAuditLog({ file: join(config.dataDir, 'audit', 'audit.db'), hash: config.audit.hash, groupCommitMs: config.audit.groupCommitMs });
  try {
    for (const event of mapped) await log.append(event);
  } finally {
    await log.close();
  }
};

const keystoreOf = async (ctx: CliContext, create = false) => {
  const kms = await import('../../kms/index.js');
  const events: KmsEvent[] = [];
  const keystore = kms.openConfiguredKeystore(ctx.config(), { env: process.env, create, onEvent: (e) => events.push(e) });
  const close = keystore.close.bind(keystore);
  // Closing the keystore also records what happened, so every command audits the same way.
  return { kms, keystore, done: async () => { close(); await recordEvents(ctx, events); } };
};

const describeKey = (k: { id: string; algorithm: string; purpose: string; state: string; version: number; createdAt: string; rotatedAt?: string | undefined }) =>
  `${k.id.padEnd(24)} v${String(k.version).padEnd(4)} ${k.algorithm.padEnd(12)} ${k.purpose.padEnd(12)} ${k.state.padEnd(20)} ${k.rotatedAt ?? k.createdAt}`;

/** `custos keys …`: the keystore's life cycle from the command line. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  const keys = program.command('keys').description(pick(text.keys, lang));

  keys
    .command('init')
    .description(pick(text.init, lang))
    .option('--empty', pick(text.optEmpty, lang))
    .action(async (options: { empty?: boolean }) => {
      const ctx = context();
      const { kms, keystore, done } = await keystoreOf(ctx, true);
      try {
        if (options.empty !== true && keystore.listKeys().every((k) => k.id !== 'records-kek')) keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' });
        ctx.result(`${ctx.t(text.created)} ${keystore.file}\n${keystore.listKeys().map(describeKey).join('\n')}`, { file: kms.keystoreFile(ctx.config().dataDir), keys: keystore.listKeys() });
      } finally {
        await done();
      }
    });

  keys
    .command('create <id>')
    .description(pick(text.create, lang))
    .requiredOption('--algorithm <algorithm>', pick(text.optAlgorithm, lang))
    .requiredOption('--purpose <purpose>', pick(text.optPurpose, lang))
    .action(async (id: string, options: { algorithm: string; purpose: string }) => {
      const ctx = context();
      const { keystore, done } = await keystoreOf(ctx);
      try {
        const info = keystore.createKey({ id, algorithm: options.algorithm as 'aes-256', purpose: options.purpose as 'wrap' });
        ctx.result(describeKey(info), info);
      } finally {
        await done();
      }
    });

  keys
    .command('list')
    .description(pick(text.list, lang))
    .action(async () => {
      const ctx = context();
      const { keystore, done } = await keystoreOf(ctx);
      try {
        const list = keystore.listKeys();
        ctx.result(list.map(describeKey).join('\n') || '-', list);
      } finally {
        await done();
      }
    });

  keys
    .command('status')
    .description(pick(text.status, lang))
    .option('--certs <dir>', pick(text.optCerts, lang))
    .action(async (options: { certs?: string }) => {
      const ctx = context();
      const config = ctx.config();
      const { kms, keystore, done } = await keystoreOf(ctx);
      try {
        const rotation = keystore.rotationReport({ rotationDays: config.kms.rotationDays });
        const counts = keystore.dataKeyCounts();
        const { readdirSync, readFileSync } = await import('node:fs');
        const { join } = await import('node:path');
        const certDir = options.certs ?? config.server.tlsDir;
        const { existsSync } = await import('node:fs');
        if (certDir !== undefined && !existsSync(certDir)) {
          const { CustosError } = await import('../../lib/errors.js');
          throw new CustosError('ERR_KMS_CERT_INVALID', { message: `the certificate folder ${certDir} does not exist`, hint: 'pass --certs <dir> as used with `custos certs init --out`' });
        }
        const certificates =
          certDir === undefined
            ? []
            : readdirSync(certDir)
                .filter((f) => f.endsWith('.pem') && !f.endsWith('-key.pem'))
                .sort()
                .map((f) => {
                  const info = kms.readCertificateInfo(readFileSync(join(certDir, f), 'utf8'));
                  const daysLeft = Math.floor((Date.parse(info.notAfter) - Date.now()) / 86_400_000);
                  return { file: f, commonName: info.commonName, notAfter: info.notAfter, daysLeft, isExpired: daysLeft < 0 };
                });
        const human = [
          ...rotation.map((r) => `${r.id.padEnd(24)} v${String(r.version).padEnd(4)} ${r.state.padEnd(10)} ${String(r.ageDays).padStart(5)}d${r.isOverdue ? `  ⚠ ${ctx.t(text.overdue)} (${config.kms.rotationDays}d)` : ''}`),
          `${ctx.t(text.dataKeys)}: ${counts.active} active, ${counts.destroyed} destroyed`,
          ...(certificates.length > 0 ? [`${ctx.t(text.certificates)}:`, ...certificates.map((c) => `  ${c.file.padEnd(28)} ${c.notAfter}  ${c.daysLeft}d${c.isExpired ? ' ⚠' : ''}`)] : []),
        ];
        ctx.result(human.join('\n'), { keys: rotation, rotationDays: config.kms.rotationDays, dataKeys: counts, certificates });
      } finally {
        await done();
      }
    });

  const simple = (name: string, description: string, run: (keystore: Keystore, id: string, options: Record<string, string>) => unknown) =>
    keys
      .command(`${name} <id>`)
      .description(description)
      .action(async (id: string, options: Record<string, string>) => {
        const ctx = context();
        const { keystore, done } = await keystoreOf(ctx);
        try {
          const info = run(keystore, id, options) as Parameters<typeof describeKey>[0];
          ctx.result(describeKey(info), info);
        } finally {
          await done();
        }
      });
  simple('rotate', pick(text.rotate, lang), (ks, id) => ks.rotateKey(id));
  simple('disable', pick(text.disable, lang), (ks, id) => ks.disableKey(id));
  simple('enable', pick(text.enable, lang), (ks, id) => ks.enableKey(id));
  simple('schedule-destruction', pick(text.schedule, lang), (ks, id, o) => ks.scheduleKeyDestruction(id, { pendingDays: Number(o.days ?? 7) })).option(
    '--days <n>',
    pick(text.optDays, lang),
    '7',
  );
  simple('cancel-destruction', pick(text.cancel, lang), (ks, id) => ks.cancelKeyDestruction(id));
  simple('destroy', pick(text.destroy, lang), (ks, id) => ks.destroyKey(id));

  keys
    .command('rewrap')
    .description(pick(text.rewrap, lang))
    .option('--key <id>', pick(text.optKey, lang), 'records-kek')
    .action(async (options: { key: string }) => {
      const ctx = context();
      const { kms, keystore, done } = await keystoreOf(ctx);
      try {
        const result = await kms.createFieldCipher({ keystore, wrappingKeyId: options.key }).rewrapDataKeys();
        ctx.result(`${ctx.t(text.rewrapped)}: ${result.rewrapped}`, result);
      } finally {
        await done();
      }
    });

  keys
    .command('reencrypt')
    .description(pick(text.reencrypt, lang))
    .requiredOption('--db <file>', pick(text.optDb, lang))
    .requiredOption('--table <name>', pick(text.optTable, lang))
    .requiredOption('--record-type <type>', pick(text.optRecordType, lang))
    .requiredOption('--column <column>', pick(text.optColumn, lang), collect)
    .option('--id-column <name>', pick(text.optIdColumn, lang), 'id')
    .option('--scope-column <name>', pick(text.optScopeColumn, lang), 'subject_id')
    .option('--tenant', pick(text.optTenant, lang))
    .option('--key <id>', pick(text.optKey, lang), 'records-kek')
    .option('--suite <suite>', pick(text.optSuite, lang))
    .option('--batch-size <n>', pick(text.optBatch, lang), '500')
    .action(async (options: { db: string; table: string; recordType: string; column: string[]; idColumn: string; scopeColumn: string; tenant?: boolean; key: string; suite?: string; batchSize: string }) => {
      const ctx = context();
      const { kms, keystore, done } = await keystoreOf(ctx);
      try {
        const cipher = kms.createFieldCipher({ keystore, wrappingKeyId: options.key, suite: (options.suite ?? ctx.config().kms.fieldSuite) as 'aes-256-gcm' });
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        const result = await kms.reencryptTable({
          cipher,
          file: options.db,
          table: options.table,
          idColumn: options.idColumn,
          scopeColumn: options.scopeColumn,
          scope: options.tenant === true ? 'tenant' : 'subject',
          recordType: options.recordType,
          columns: options.column.map((c) => {
            const [column, fieldPath] = c.split(':');
            return { column: column!, ...(fieldPath === undefined ? {} : { fieldPath }) };
          }),
          batchSize: Number(options.batchSize),
          signal: controller.signal,
          onProgress: (p) => ctx.info(`${ctx.t(text.progress)} ${p.done}/${p.total} (${p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total)}%), ${p.reencrypted}`),
        });
        process.removeListener('SIGINT', stop);
        cipher.close();
        ctx.result(`${result.done}/${result.total}, ${result.reencrypted} — ${ctx.t(result.isComplete ? text.complete : text.interrupted)}`, result);
        if (!result.isComplete) ctx.setExitCode(1);
      } finally {
        await done();
      }
    });

  keys
    .command('shred')
    .description(pick(text.shred, lang))
    .option('--subject <id>', pick(text.optSubject, lang))
    .option('--tenant <id>', pick(text.optTenantId, lang))
    .option('--key <id>', pick(text.optKey, lang), 'records-kek')
    .action(async (options: { subject?: string; tenant?: string; key: string }) => {
      const ctx = context();
      const { kms, keystore, done } = await keystoreOf(ctx);
      try {
        const cipher = kms.createFieldCipher({ keystore, wrappingKeyId: options.key });
        const scope = options.subject !== undefined ? { subjectId: options.subject } : { tenantId: options.tenant! };
        const count = cipher.shredDataKey(scope as { subjectId: string });
        ctx.result(`${ctx.t(text.shredded)}: ${count}`, { ...scope, destroyedVersions: count });
      } finally {
        await done();
      }
    });
};
