import type { Command } from 'commander';
import { describeSettings } from '../../lib/config.js';
import type { CliContext } from '../context.js';
import { messages, pick, type Lang } from '../i18n.js';

/** `custos config`: the effective configuration, so operators see what a process will use. */
export const register = (program: Command, context: () => CliContext, lang: Lang): void => {
  program
    .command('config')
    .description(pick(messages.configDescription, lang))
    .action(() => {
      const ctx = context();
      const config = ctx.config();
      const redacted = { ...config, server: { ...config.server, adminToken: config.server.adminToken ? '[set]' : undefined } };
      const lines = describeSettings().map((s) => {
        const value = s.path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], redacted);
        return `${s.path.padEnd(28)} ${String(value ?? '-').padEnd(40)} ${s.env ?? ''}`;
      });
      ctx.result(lines.join('\n'), redacted);
    });
};
