import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { pick, type Lang } from '../i18n.js';

const text = {
  encrypt: { zh: '用信封加密（AWS Encryption SDK）加密文件，或加密单个字段', en: 'encrypt a file with envelope encryption (AWS Encryption SDK), or seal one field' },
  decrypt: { zh: '解密 custos encrypt 的输出（须提供相同的加密上下文）', en: 'decrypt the output of custos encrypt (the same encryption context is required)' },
  optIn: { zh: '输入文件（默认标准输入）', en: 'input file (default stdin)' },
  optOut: { zh: '输出文件（默认标准输出）', en: 'output file (default stdout)' },
  optKey: { zh: '包裹密钥 id，可重复', en: 'wrapping key id, repeatable' },
  optContext: { zh: '加密上下文 名称=值，可重复（只放 id，勿放个人信息）', en: 'encryption context name=value, repeatable (ids only, never personal data)' },
  optField: { zh: '字段模式：以 --record-type/--record-id/--field-path/--subject 绑定加密单个值', en: 'field mode: seal one value bound to --record-type/--record-id/--field-path/--subject' },
  optRecordType: { zh: '记录类型', en: 'record type' },
  optRecordId: { zh: '记录 id', en: 'record id' },
  optFieldPath: { zh: '字段路径', en: 'field path' },
  optSubject: { zh: '数据主体 id', en: 'data subject id' },
  optTenant: { zh: '租户 id', en: 'tenant id' },
  optSuite: { zh: '字段加密套件：aes-256-gcm、sm4-ctr-hmac-sm3、sm4-cbc-hmac-sm3', en: 'field suite: aes-256-gcm, sm4-ctr-hmac-sm3, sm4-cbc-hmac-sm3' },
} as const;

interface CryptOptions {
  readonly in?: string;
  readonly out?: string;
  readonly key: string[];
  readonly context?: string[];
  readonly field?: boolean;
  readonly recordType?: string;
  readonly recordId?: string;
  readonly fieldPath?: string;
  readonly subject?: string;
  readonly tenant?: string;
  readonly suite?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const readInput = async (file: string | undefined): Promise<Buffer> => {
  const { readFileSync } = await import('node:fs');
  if (file !== undefined && file !== '-') return readFileSync(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const writeOutput = async (file: string | undefined, data: Uint8Array | string): Promise<void> => {
  const { writeFileSync } = await import('node:fs');
  if (file !== undefined && file !== '-') writeFileSync(file, data, { mode: 0o600 });
  else process.stdout.write(data);
};

const parseContext = async (pairs: readonly string[]): Promise<Record<string, string>> => {
  const { CustosError } = await import('../../lib/errors.js');
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new CustosError('ERR_KMS_INVALID_ARGUMENT', { message: 'each --context is name=value', hint: '--context purpose=lab-report --context tenant=t-1', details: { exitCode: 2 } });
    }
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { ...context };
};

const fieldBinding = (o: CryptOptions) => ({
  recordType: o.recordType ?? '',
  recordId: o.recordId ?? '',
  fieldPath: o.fieldPath ?? '',
  ...(o.tenant !== undefined ? { tenantId: o.tenant } : { subjectId: o.subject ?? '' }),
});

const run = async (ctx: CliContext, options: CryptOptions, direction: 'encrypt' | 'decrypt'): Promise<void> => {
  const kms = await import('../../kms/index.js');
  const keystore = kms.openConfiguredKeystore(ctx.config(), { env: process.env });
  try {
    const input = await readInput(options.in);
    if (options.field === true) {
      const cipher = kms.createFieldCipher({ keystore, wrappingKeyId: options.key[0]!, suite: (options.suite ?? ctx.config().kms.fieldSuite) as 'aes-256-gcm' });
      const binding = fieldBinding(options) as Parameters<typeof cipher.sealField>[1];
      const value = input.toString('utf8').replace(/\r?\n$/, '');
      const output = direction === 'encrypt' ? await cipher.sealField(value, binding) : await cipher.openField(value, binding);
      cipher.close();
      await writeOutput(options.out, `${output}\n`);
      return;
    }
    const envelope = await kms.createEnvelope({ keystore, keyIds: options.key });
    const context = await parseContext(options.context ?? []);
    const output = direction === 'encrypt' ? await envelope.encrypt(input, context) : await envelope.decrypt(input, context);
    await writeOutput(options.out, output);
  } finally {
    keystore.close();
  }
};

/** `custos encrypt` / `custos decrypt`: blobs through the Encryption SDK, or one field. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  for (const direction of ['encrypt', 'decrypt'] as const) {
    program
      .command(direction)
      .description(pick(text[direction], lang))
      .option('-i, --in <file>', pick(text.optIn, lang))
      .option('-o, --out <file>', pick(text.optOut, lang))
      .option('--key <id>', pick(text.optKey, lang), collect)
      .option('--context <name=value>', pick(text.optContext, lang), collect)
      .option('--field', pick(text.optField, lang))
      .option('--record-type <type>', pick(text.optRecordType, lang))
      .option('--record-id <id>', pick(text.optRecordId, lang))
      .option('--field-path <path>', pick(text.optFieldPath, lang))
      .option('--subject <id>', pick(text.optSubject, lang))
      .option('--tenant <id>', pick(text.optTenant, lang))
      .option('--suite <suite>', pick(text.optSuite, lang))
      .action(async (options: CryptOptions) => {
        await run(context(), { ...options, key: options.key ?? ['records-kek'] }, direction);
      });
  }
};
