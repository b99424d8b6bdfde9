import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CustosConfig } from '../../lib/config.js';
import { CustosError, kindOf } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { EntityStore, PolicyStatus } from '../types.js';
import { createMetrics } from './metrics.js';
import { createPolicyReloader } from './policy-reload.js';
import type { DecisionEngine, DecisionRecorder } from './ports.js';
import { startSidecar, type Sidecar } from './sidecar.js';

/** The engine side of the composition, passed in so the sidecar stays on its narrow interface. */
export interface EngineParts<Set> {
  readonly loadPolicySet: (dir: string) => Set;
  readonly openEntityStore: (options: { file: string }) => EntityStore;
  readonly createEngine: (options: { policySet: Set; entities: EntityStore }) => DecisionEngine & { usePolicySet(set: Set): void };
}

export interface FromConfigOptions {
  readonly logger?: Logger;
  readonly recorder?: DecisionRecorder;
}

/**
 * Reads the per-service tokens file: a YAML or JSON mapping `service: token`. Tokens are secrets:
 * keep the file out of the repository, mode 0600.
 */
export const readTokensFile = (file: string): Record<string, string> => {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new CustosError('ERR_PDP_TOKENS_FILE', {
      at: { file },
      message: 'cannot read the tokens file',
      hint: 'server.tokensFile must be a YAML mapping of service name to token',
      cause,
    });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CustosError('ERR_PDP_TOKENS_FILE', { at: { file }, message: `the tokens file must be a mapping, got ${kindOf(raw)}`, hint: 'write `service-name: <token>` lines' });
  }
  const tokens: Record<string, string> = {};
  for (const [service, token] of Object.entries(raw)) {
    if (typeof token !== 'string' || token.length < 16) {
      throw new CustosError('ERR_PDP_TOKENS_FILE', {
        at: { file },
        message: `the token of service "${service}" must be a string of at least 16 characters, got ${kindOf(token)}`,
        hint: 'generate one with `openssl rand -base64 32`',
      });
    }
    tokens[service] = token;
  }
  return tokens;
};

/**
 * Opens the entity store under the data directory, imports the configured entities, loads the
 * policy set, and starts the sidecar with reload (file watch and admin endpoint).
 *
 * @example
 * const sidecar = await startSidecarFromConfig(loadConfig(), { loadPolicySet, openEntityStore, createEngine }, { logger });
 */
export const startSidecarFromConfig = async <Set>(
  config: CustosConfig,
  parts: EngineParts<Set>,
  options: FromConfigOptions = {},
): Promise<Sidecar> => {
  const log = options.logger;
  mkdirSync(config.dataDir, { recursive: true });
  const policySet = parts.loadPolicySet(config.policy.dir);
  const entities = parts.openEntityStore({ file: join(config.dataDir, 'entities.db') });
  let closed = false;
  try {
    const summary = entities.importEntities(config.entities.dir);
    log?.info({ ...summary }, 'entities imported');
    const engine = parts.createEngine({ policySet, entities });
    const metrics = createMetrics();
    const recordChange = (change: 'load' | 'reload', previousVersion?: string): void => {
      const policyVersion = engine.status().version;
      options.recorder?.recordPolicyChange?.({ change, policyVersion, ...(previousVersion === undefined ? {} : { previousVersion }) }).catch(() => {
        log?.error({ policyVersion }, 'audit of the policy change failed');
      });
    };
    recordChange('load');
    const reloader = createPolicyReloader<Set>({
      load: () => parts.loadPolicySet(config.policy.dir),
      use: (set) => {
        const previous = engine.status().version;
        engine.usePolicySet(set);
        recordChange('reload', previous);
      },
      status: (): PolicyStatus => engine.status(),
      logger: log,
      metrics,
    });
    if (config.policy.watch) reloader.watch([config.policy.dir]);
    const sidecar = await startSidecar({
      engine: () => engine,
      host: config.server.host,
      port: config.server.port,
      tls: config.server.tlsDir === undefined ? undefined : { dir: config.server.tlsDir, requireClientCert: config.server.requireClientCert },
      tokens: config.server.tokensFile === undefined ? undefined : readTokensFile(config.server.tokensFile),
      adminToken: config.server.adminToken,
      bodyLimitBytes: config.server.bodyLimitBytes,
      requestTimeoutMs: config.server.requestTimeoutMs,
      maxBatchSize: config.server.maxBatchSize,
      logger: log,
      recorder: options.recorder,
      reloader,
      metrics,
      // Ready while the entity store answers a lookup (a closed or broken store throws).
      isReady: () => {
        try {
          entities.get('custos-readiness-probe', '0');
          return !closed;
        } catch {
          return false;
        }
      },
      onClose: () => {
        closed = true;
        entities.close();
      },
    });
    const status = engine.status();
    log?.info({ policyVersion: status.version, rules: status.rules, source: status.source }, 'policy loaded');
    return sidecar;
  } catch (error) {
    if (!closed) entities.close();
    throw error;
  }
};
