import type { Command } from 'commander';
import { createLogger, flushLogger, flushLoggerSync } from '../../lib/logger.js';
import type { CliContext } from '../context.js';
import { pick, type Lang } from '../i18n.js';

const text = {
  description: { zh: '启动访问决策服务（AuthZEN 1.0 接口，默认仅监听 127.0.0.1:8181）', en: 'start the decision point sidecar (AuthZEN 1.0 API; 127.0.0.1:8181 by default)' },
  host: { zh: '监听地址（CUSTOS_HOST）', en: 'address to listen on (CUSTOS_HOST)' },
  port: { zh: '监听端口，0 表示任选（CUSTOS_PORT）', en: 'port to listen on, 0 for any (CUSTOS_PORT)' },
  policy: { zh: '策略目录（CUSTOS_POLICY_DIR）', en: 'policy folder (CUSTOS_POLICY_DIR)' },
  entities: { zh: '实体数据目录，启动时导入（CUSTOS_ENTITIES_DIR）', en: 'entity data folder imported at start (CUSTOS_ENTITIES_DIR)' },
  listening: { zh: '访问决策服务已启动：', en: 'decision point listening on ' },
  stopping: { zh: '正在停止：完成处理中的请求并刷新审计日志…', en: 'stopping: finishing in-flight requests and flushing the audit log…' },
} as const;

interface ServeOptions {
  readonly host?: string;
  readonly port?: string;
  readonly policy?: string;
  readonly entities?: string;
  readonly dataDir?: string;
}

/** `custos serve`: the composition root of the sidecar (config, logger, engine, audit, HTTP). */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  program
    .command('serve')
    .description(pick(text.description, lang))
    .option('--host <host>', pick(text.host, lang))
    .option('--port <port>', pick(text.port, lang))
    .option('--policy <dir>', pick(text.policy, lang))
    .option('--entities <dir>', pick(text.entities, lang))
    .option('--data-dir <dir>', pick({ zh: '数据目录（CUSTOS_DATA_DIR）', en: 'data directory (CUSTOS_DATA_DIR)' }, lang))
    .action(async (options: ServeOptions) => {
      const ctx = context();
      const overrides: Record<string, unknown> = {};
      if (options.host !== undefined) overrides['server.host'] = options.host;
      if (options.port !== undefined) overrides['server.port'] = options.port;
      if (options.policy !== undefined) overrides['policy.dir'] = options.policy;
      if (options.entities !== undefined) overrides['entities.dir'] = options.entities;
      if (options.dataDir !== undefined) overrides.dataDir = options.dataDir;
      const config = ctx.config(overrides);
      // The sidecar's own logger: asynchronous, buffered writes to stderr (synchronous request
      // logs cost about 30% of its throughput). What is buffered is written out on graceful
      // shutdown, and synchronously on any other exit (the 'exit' hook runs for process.exit and
      // fatal errors alike).
      const logger = createLogger({ level: ctx.isQuiet ? 'warn' : config.log.level, format: config.log.format, buffered: true });
      const flushAtExit = (): void => flushLoggerSync(logger);
      process.on('exit', flushAtExit);
      const pdp = await import('../../pdp/index.js');
      const recorder = config.audit.enabled ? pdp.openAuditRecorder(config) : undefined;
      let sidecar;
      try {
        sidecar = await pdp.startSidecarFromConfig(
          config,
          { loadPolicySet: pdp.loadPolicySet, openEntityStore: pdp.openEntityStore, createEngine: pdp.createEngine },
          { logger, recorder },
        );
      } catch (error) {
        await recorder?.close();
        await flushLogger(logger);
        throw error;
      }
      ctx.info(`${ctx.t(text.listening)}${sidecar.url}`);
      // Graceful shutdown: finish in-flight requests, flush the audit log, close the stores.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          ctx.info(ctx.t(text.stopping));
          sidecar
            .close()
            .catch((error: unknown) => {
              logger.error({ code: (error as { code?: string }).code ?? 'unknown' }, 'shutdown failed');
              ctx.setExitCode(1);
            })
            .then(() => flushLogger(logger))
            .then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
};
