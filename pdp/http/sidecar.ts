import { CustosError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { PolicyStatus } from '../types.js';
import { createSidecarApp } from './app.js';
import { createCallerAuth } from './auth.js';
import { createMetrics, type SidecarMetrics } from './metrics.js';
import type { PolicyReloader } from './policy-reload.js';
import type { DecisionEngine, DecisionRecorder } from './ports.js';
import { isLoopbackHost, listen, type TlsFiles } from './server.js';

export interface SidecarOptions {
  /** The engine in force (read per request, so a policy swap is atomic). */
  readonly engine: () => DecisionEngine;
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsFiles;
  /** Service name → bearer token; when non-empty every decision request must carry one. */
  readonly tokens?: Readonly<Record<string, string>>;
  readonly adminToken?: string;
  readonly bodyLimitBytes?: number;
  readonly requestTimeoutMs?: number;
  readonly maxBatchSize?: number;
  readonly logger?: Logger;
  readonly recorder?: DecisionRecorder;
  readonly reloader?: PolicyReloader;
  readonly metrics?: SidecarMetrics;
  /** Extra readiness check for `/readyz` (e.g. the entity store answers); closing is always not ready. */
  readonly isReady?: () => boolean;
  /** Closes what the composition root opened (entity store), after the last request. */
  readonly onClose?: () => Promise<void> | void;
  readonly closeGraceMs?: number;
}

export interface Sidecar {
  readonly url: string;
  readonly metrics: SidecarMetrics;
  reload(): Promise<PolicyStatus>;
  /** Graceful: not ready, stop accepting, finish in-flight requests, flush the audit log, close stores. */
  close(): Promise<void>;
}

/**
 * Starts the decision point sidecar. Off loopback it refuses to start unless callers must
 * authenticate (mutual TLS or bearer tokens).
 *
 * @example
 * const sidecar = await startSidecar({ engine: () => engine, host: '127.0.0.1', port: 8181 });
 * await fetch(`${sidecar.url}/healthz`); await sidecar.close();
 */
export const startSidecar = async (options: SidecarOptions): Promise<Sidecar> => {
  const isLoopback = isLoopbackHost(options.host);
  const hasTokens = Object.keys(options.tokens ?? {}).length > 0;
  const hasMtls = options.tls?.requireClientCert === true;
  if (!isLoopback && !hasTokens && !hasMtls) {
    throw new CustosError('ERR_PDP_INSECURE_BIND', {
      message: `refusing to listen on ${options.host} without caller authentication`,
      hint: 'set server.tlsDir (mutual TLS, see `custos certs`) and/or server.tokensFile, or bind to 127.0.0.1',
    });
  }
  const metrics = options.metrics ?? createMetrics();
  const auth = createCallerAuth({ tokens: options.tokens, adminToken: options.adminToken, isLoopback });
  let isClosing = false;
  const app = createSidecarApp({
    engine: options.engine,
    logger: options.logger,
    recorder: options.recorder,
    metrics,
    auth,
    bodyLimitBytes: options.bodyLimitBytes,
    requestTimeoutMs: options.requestTimeoutMs,
    limits: options.maxBatchSize === undefined ? undefined : { maxBatchSize: options.maxBatchSize },
    isReady: () => !isClosing && (options.isReady?.() ?? true),
    reloadPolicy: options.reloader ? () => options.reloader!.reload('admin') : undefined,
  });
  const listening = await listen(app, {
    host: options.host,
    port: options.port,
    tls: options.tls,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    closeGraceMs: options.closeGraceMs,
  });
  const log = options.logger?.child({ module: 'pdp-http' });
  log?.info({ url: listening.url, mtls: hasMtls, tokens: hasTokens, audit: options.recorder !== undefined }, 'decision point listening');
  let closing: Promise<void> | undefined;
  return {
    url: listening.url,
    metrics,
    reload: () => {
      if (!options.reloader) return Promise.reject(new CustosError('ERR_PDP_NOT_FOUND', { message: 'no policy source to reload from' }));
      return options.reloader.reload('admin');
    },
    close: () => {
      closing ??= (async () => {
        isClosing = true;
        options.reloader?.close();
        await listening.close();
        await options.recorder?.close();
        await options.onClose?.();
        log?.info({}, 'decision point stopped');
      })();
      return closing;
    },
  };
};
