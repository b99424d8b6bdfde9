// Shared by the sidecar tests: start the real sidecar (real policy loader, real SQLite entity
// store in a temp dir, real engine, real HTTP on 127.0.0.1, ephemeral port) from config values.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type CustosConfig } from '../../lib/config.js';
import { manualClock } from '../../lib/clock.js';
import { loadPolicySet } from '../../policy/index.js';
import { createEngine } from '../../pdp/engine.js';
import { openSqliteEntityStore } from '../../pdp/sqlite/entity-store.js';
import { startSidecarFromConfig, type FromConfigOptions } from '../../pdp/http/from-config.js';
import type { Sidecar } from '../../pdp/http/sidecar.js';
import { openAuditRecorder } from '../../pdp/http/audit-recorder.js';
import type { EngineParts } from '../../pdp/http/from-config.js';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const authzenDir = join(repoRoot, 'examples', 'authzen');
export const certificationDir = join(authzenDir, 'certification');

type PolicySet = ReturnType<typeof loadPolicySet>;

/** The real engine parts; `nowMs` pins the engine's clock (time-dependent policy tests). */
export const engineParts = (nowMs?: number): EngineParts<PolicySet> => ({
  loadPolicySet: (dir: string) => loadPolicySet(dir),
  openEntityStore: ({ file }: { file: string }) => openSqliteEntityStore(file),
  createEngine: (options) => createEngine({ ...options, ...(nowMs === undefined ? {} : { clock: manualClock(nowMs) }) }),
});

export interface Started {
  readonly sidecar: Sidecar;
  readonly url: string;
  readonly config: CustosConfig;
  readonly dataDir: string;
  stop(): Promise<void>;
  /** Closes the sidecar but keeps the data directory (to read the audit log afterwards). */
  close(): Promise<void>;
}

/** Starts a sidecar on 127.0.0.1:0 with the given policy/entities folders and setting overrides. */
export const startReal = async (
  policyDir: string,
  entitiesDir: string,
  overrides: Record<string, unknown> = {},
  options: FromConfigOptions & { nowMs?: number; audit?: boolean } = {},
): Promise<Started> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-pdp-http-'));
  const config = loadConfig({
    env: {},
    cwd: dataDir,
    overrides: {
      dataDir,
      'server.port': 0,
      'policy.dir': policyDir,
      'policy.watch': false,
      'entities.dir': entitiesDir,
      'audit.enabled': options.audit === true,
      ...overrides,
    },
  });
  const recorder = options.recorder ?? (config.audit.enabled ? openAuditRecorder(config) : undefined);
  const sidecar = await startSidecarFromConfig(config, engineParts(options.nowMs), { ...options, recorder });
  return {
    sidecar,
    url: sidecar.url,
    config,
    dataDir,
    stop: async () => {
      await sidecar.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    close: () => sidecar.close(),
  };
};

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** POSTs a JSON value (or a raw string with `raw`) and reads the reply. */
export const post = async (url: string, body: unknown, init: { raw?: boolean; headers?: Record<string, string> } = {}): Promise<Reply> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.raw ? (body as string) : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
};
