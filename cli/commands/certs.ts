import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { pick, type Lang } from '../i18n.js';

const text = {
  certs: { zh: '签发 sidecar 双向 TLS 所用的 CA、服务端与客户端证书', en: 'issue the CA, server and client certificates for the sidecar mutual TLS' },
  init: { zh: '创建证书颁发机构（ca.pem、ca-key.pem）', en: 'create the certificate authority (ca.pem, ca-key.pem)' },
  server: { zh: '签发服务端证书（server.pem、server-key.pem）', en: 'issue the server certificate (server.pem, server-key.pem)' },
  client: { zh: '签发客户端证书（client-<名称>.pem、client-<名称>-key.pem）', en: 'issue a client certificate (client-<name>.pem, client-<name>-key.pem)' },
  optOut: { zh: '证书目录（读取 CA，写入证书）', en: 'certificate folder (CA read from and certificates written to)' },
  optDays: { zh: '有效天数', en: 'days of validity' },
  optCn: { zh: '通用名称（CN）', en: 'common name (CN)' },
  optHost: { zh: '服务端主机名或 IP，可重复', en: 'server host name or IP, repeatable' },
  optName: { zh: '客户端名称（调用方服务名）', en: 'client name (the calling service)' },
  optForce: { zh: '覆盖已有文件', en: 'overwrite existing files' },
  wrote: { zh: '已写入', en: 'wrote' },
  expires: { zh: '到期', en: 'expires' },
} as const;

interface CertOptions {
  readonly out: string;
  readonly days: string;
  readonly force?: boolean;
  readonly cn?: string;
  readonly host?: string[];
  readonly name?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `custos certs init|server|client`: mutual-TLS material for the decision-point sidecar. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  const certs = program.command('certs').description(pick(text.certs, lang));
  const common = (cmd: Command, days: string): Command =>
    cmd
      .requiredOption('-o, --out <dir>', pick(text.optOut, lang))
      .option('--days <n>', pick(text.optDays, lang), days)
      .option('-f, --force', pick(text.optForce, lang));

  common(certs.command('init').description(pick(text.init, lang)), '3650')
    .option('--cn <name>', pick(text.optCn, lang), 'Custos CA')
    .action(async (options: CertOptions) => {
      const ctx = context();
      const { createCertificateAuthority, writeCertificateFiles } = await import('../../kms/index.js');
      const ca = createCertificateAuthority({ commonName: options.cn ?? 'Custos CA', validDays: Number(options.days) });
      report(ctx, writeCertificateFiles(options.out, 'ca', ca, options.force === true));
    });

  common(certs.command('server').description(pick(text.server, lang)), '365')
    .option('--host <host>', pick(text.optHost, lang), collect)
    .option('--cn <name>', pick(text.optCn, lang))
    .action(async (options: CertOptions) => {
      const ctx = context();
      const { issueServerCertificate, readCertificateAuthority, writeCertificateFiles } = await import('../../kms/index.js');
      const ca = readCertificateAuthority(options.out);
      const hosts = options.host ?? ['127.0.0.1', 'localhost'];
      const issued = issueServerCertificate(ca, { hosts, validDays: Number(options.days), ...(options.cn ? { commonName: options.cn } : {}) });
      report(ctx, writeCertificateFiles(options.out, 'server', issued, options.force === true));
    });

  common(certs.command('client').description(pick(text.client, lang)), '365')
    .argument('[name]', pick(text.optName, lang))
    .option('--name <name>', pick(text.optName, lang))
    .action(async (positional: string | undefined, options: CertOptions) => {
      const ctx = context();
      const { issueClientCertificate, readCertificateAuthority, writeCertificateFiles, checkClientName } = await import('../../kms/index.js');
      const name = checkClientName(positional ?? options.name);
      const ca = readCertificateAuthority(options.out);
      const issued = issueClientCertificate(ca, { commonName: name, validDays: Number(options.days) });
      report(ctx, writeCertificateFiles(options.out, `client-${name}`, issued, options.force === true));
    });

  const report = (ctx: CliContext, written: { certFile: string; keyFile: string; notAfter: string }): void => {
    ctx.result(
      `${ctx.t(text.wrote)} ${written.certFile}\n${ctx.t(text.wrote)} ${written.keyFile} (0600)\n${ctx.t(text.expires)} ${written.notAfter}`,
      written,
    );
  };
};
