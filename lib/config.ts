import { readFileSync, existsSync } from 'node:fs';
import { resolve, dirname, isAbsolute } from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import { CustosError, kindOf } from './errors.js';

/**
 * Custos configuration: one YAML file (`custos.yaml`), then `CUSTOS_*` environment variables,
 * then explicit overrides (CLI flags), validated once at start into a frozen value.
 * Every setting is declared once in `settings` below: its path, type, default, environment
 * variable and allowed values. Paths in the file are relative to the file's folder.
 */
export interface CustosConfig {
  readonly dataDir: string;
  readonly log: { readonly level: LogLevel; readonly format: 'json' | 'pretty' | 'auto' };
  readonly lang: 'zh' | 'en';
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    readonly requestTimeoutMs: number;
    readonly maxBatchSize: number;
    readonly tlsDir: string | undefined;
    readonly requireClientCert: boolean;
    readonly tokensFile: string | undefined;
    readonly adminToken: string | undefined;
  };
  readonly policy: { readonly dir: string; readonly watch: boolean };
  readonly entities: { readonly dir: string };
  readonly audit: {
    readonly enabled: boolean;
    readonly hash: 'sha256' | 'sm3';
    readonly checkpointIntervalMs: number;
    readonly retentionDays: number;
    readonly groupCommitMs: number;
  };
  readonly kms: { readonly rootKeyFile: string | undefined; readonly rotationDays: number; readonly fieldSuite: 'aes-256-gcm' | 'sm4-ctr-hmac-sm3' | 'sm4-cbc-hmac-sm3' };
  readonly scanner: { readonly sampleSize: number; readonly minConfidence: number };
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

type SettingType = 'string' | 'path' | 'integer' | 'number' | 'boolean';

interface Setting {
  readonly path: string;
  readonly type: SettingType;
  readonly default: unknown;
  readonly env?: string;
  readonly allowed?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// Cybersecurity Law Art. 21 (Art. 23 as amended, in force 2026-01-01): logs kept >= six months.
const minRetentionDays = 180;

const settings: readonly Setting[] = [
  { path: 'dataDir', type: 'path', default: './custos-data', env: 'CUSTOS_DATA_DIR' },
  { path: 'lang', type: 'string', default: 'zh', env: 'CUSTOS_LANG', allowed: ['zh', 'en'] },
  { path: 'log.level', type: 'string', default: 'info', env: 'CUSTOS_LOG_LEVEL', allowed: logLevels },
  { path: 'log.format', type: 'string', default: 'auto', env: 'CUSTOS_LOG_FORMAT', allowed: ['json', 'pretty', 'auto'] },
  { path: 'server.host', type: 'string', default: '127.0.0.1', env: 'CUSTOS_HOST' },
  { path: 'server.port', type: 'integer', default: 8181, env: 'CUSTOS_PORT', min: 0, max: 65535 },
  { path: 'server.bodyLimitBytes', type: 'integer', default: 1_048_576, env: 'CUSTOS_BODY_LIMIT_BYTES', min: 1024, max: 64 * 1_048_576 },
  { path: 'server.requestTimeoutMs', type: 'integer', default: 10_000, env: 'CUSTOS_REQUEST_TIMEOUT_MS', min: 100, max: 600_000 },
  { path: 'server.maxBatchSize', type: 'integer', default: 1000, env: 'CUSTOS_MAX_BATCH_SIZE', min: 1, max: 100_000 },
  { path: 'server.tlsDir', type: 'path', default: undefined, env: 'CUSTOS_TLS_DIR' },
  { path: 'server.requireClientCert', type: 'boolean', default: true, env: 'CUSTOS_REQUIRE_CLIENT_CERT' },
  { path: 'server.tokensFile', type: 'path', default: undefined, env: 'CUSTOS_TOKENS_FILE' },
  { path: 'server.adminToken', type: 'string', default: undefined, env: 'CUSTOS_ADMIN_TOKEN' },
  { path: 'policy.dir', type: 'path', default: './examples/hospital/policy', env: 'CUSTOS_POLICY_DIR' },
  { path: 'policy.watch', type: 'boolean', default: true, env: 'CUSTOS_POLICY_WATCH' },
  { path: 'entities.dir', type: 'path', default: './examples/hospital/entities', env: 'CUSTOS_ENTITIES_DIR' },
  { path: 'audit.enabled', type: 'boolean', default: true, env: 'CUSTOS_AUDIT_ENABLED' },
  { path: 'audit.hash', type: 'string', default: 'sha256', env: 'CUSTOS_AUDIT_HASH', allowed: ['sha256', 'sm3'] },
  { path: 'audit.checkpointIntervalMs', type: 'integer', default: 60_000, env: 'CUSTOS_AUDIT_CHECKPOINT_INTERVAL_MS', min: 1000 },
  { path: 'audit.retentionDays', type: 'integer', default: 180, env: 'CUSTOS_AUDIT_RETENTION_DAYS', min: minRetentionDays },
  { path: 'audit.groupCommitMs', type: 'integer', default: 2, env: 'CUSTOS_AUDIT_GROUP_COMMIT_MS', min: 0, max: 1000 },
  { path: 'kms.rootKeyFile', type: 'path', default: undefined, env: 'CUSTOS_ROOT_KEY_FILE' },
  { path: 'kms.rotationDays', type: 'integer', default: 365, env: 'CUSTOS_KMS_ROTATION_DAYS', min: 1 },
  { path: 'kms.fieldSuite', type: 'string', default: 'aes-256-gcm', env: 'CUSTOS_KMS_FIELD_SUITE', allowed: ['aes-256-gcm', 'sm4-ctr-hmac-sm3', 'sm4-cbc-hmac-sm3'] },
  { path: 'scanner.sampleSize', type: 'integer', default: 1000, env: 'CUSTOS_SCAN_SAMPLE_SIZE', min: 1 },
  { path: 'scanner.minConfidence', type: 'number', default: 0.5, env: 'CUSTOS_SCAN_MIN_CONFIDENCE', min: 0, max: 1 },
];

const knownPaths = new Set(settings.map((s) => s.path));
const knownSections = new Set(settings.map((s) => s.path.split('.')[0]!));

export interface LoadConfigOptions {
  /** Path of the YAML file. Without it, `./custos.yaml` is read when it exists. */
  readonly file?: string;
  /** Environment to read `CUSTOS_*` from; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Highest-precedence values, by dotted path (CLI flags). */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Folder that relative paths without a file resolve against; defaults to the working directory. */
  readonly cwd?: string;
}

/**
 * Loads and validates the configuration. Throws `ERR_CONFIG_INVALID` naming the key, where it
 * came from (file:line:column or environment variable) and the allowed values.
 *
 * @example
 * const config = loadConfig({ file: 'custos.yaml', overrides: { 'server.port': 9000 } });
 */
export const loadConfig = (options: LoadConfigOptions = {}): CustosConfig => {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file ?? (existsSync(resolve(cwd, 'custos.yaml')) ? resolve(cwd, 'custos.yaml') : undefined);
  const fromFile = file === undefined ? new Map<string, Located>() : readConfigFile(resolve(cwd, file));
  const base = file === undefined ? cwd : dirname(resolve(cwd, file));
  const result: Record<string, unknown> = {};
  for (const setting of settings) {
    const value = pickValue(setting, fromFile, env, options.overrides, base, cwd);
    setPath(result, setting.path, value);
  }
  return deepFreeze(result) as unknown as CustosConfig;
};

interface Located {
  readonly value: unknown;
  readonly where: string;
}

const readConfigFile = (file: string): Map<string, Located> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new CustosError('ERR_CONFIG_UNREADABLE', {
      at: { file },
      message: `cannot read the configuration file (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
      hint: 'check the --config path or CUSTOS_CONFIG, and that the file is readable',
      cause,
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    throw new CustosError('ERR_CONFIG_INVALID', {
      at: { file, line: pos.line, column: pos.col },
      message: `the configuration is not valid YAML: ${first.message.split('\n')[0]}`,
      hint: 'fix the YAML syntax at that position',
    });
  }
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return new Map();
  if (typeof root !== 'object' || Array.isArray(root)) {
    throw new CustosError('ERR_CONFIG_INVALID', {
      at: { file, line: 1, column: 1 },
      message: `the configuration must be a mapping of settings, got ${kindOf(root)}`,
      hint: 'start from the example custos.yaml in the README',
    });
  }
  const out = new Map<string, Located>();
  flatten(root as Record<string, unknown>, '', (path, value) => {
    const node = doc.getIn(path.split('.'), true) as { range?: [number, number, number] } | undefined;
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : { line: 1, col: 1 };
    const where = `${file}:${pos.line}:${pos.col}`;
    if (!knownPaths.has(path)) {
      throw new CustosError('ERR_CONFIG_UNKNOWN_KEY', {
        at: { file, line: pos.line, column: pos.col },
        message: `unknown setting "${path}"`,
        hint: `known settings: ${[...knownPaths].join(', ')}`,
      });
    }
    out.set(path, { value, where });
  });
  return out;
};

const flatten = (object: Record<string, unknown>, prefix: string, visit: (path: string, value: unknown) => void): void => {
  for (const [key, value] of Object.entries(object)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const isSection = prefix === '' && knownSections.has(key) && !knownPaths.has(key);
    if (isSection && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flatten(value as Record<string, unknown>, path, visit);
    } else {
      visit(path, value);
    }
  }
};

const pickValue = (
  setting: Setting,
  fromFile: Map<string, Located>,
  env: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, unknown>> | undefined,
  base: string,
  cwd: string,
): unknown => {
  if (overrides && overrides[setting.path] !== undefined) {
    return coerce(setting, overrides[setting.path], `option for ${setting.path}`, cwd);
  }
  const envValue = setting.env === undefined ? undefined : env[setting.env];
  if (envValue !== undefined && envValue !== '') {
    return coerce(setting, envValue, `environment variable ${setting.env}`, cwd);
  }
  const located = fromFile.get(setting.path);
  if (located !== undefined) return coerce(setting, located.value, located.where, base);
  if (setting.default === undefined) return undefined;
  return coerce(setting, setting.default, 'default', cwd);
};

const coerce = (setting: Setting, raw: unknown, where: string, base: string): unknown => {
  const bad = (expected: string): never => {
    throw new CustosError('ERR_CONFIG_INVALID', {
      message: `setting "${setting.path}" (from ${where}) must be ${expected}, got ${kindOf(raw)}`,
      hint: setting.env ? `fix it in custos.yaml or in ${setting.env}` : 'fix it in custos.yaml',
      details: { key: setting.path, source: where },
    });
  };
  switch (setting.type) {
    case 'string':
    case 'path': {
      if (typeof raw !== 'string' || raw.trim() === '') return bad('a non-empty string');
      if (setting.allowed && !setting.allowed.includes(raw)) {
        throw new CustosError('ERR_CONFIG_INVALID', {
          message: `setting "${setting.path}" (from ${where}) must be one of ${setting.allowed.join(', ')}`,
          hint: `allowed values for ${setting.path}: ${setting.allowed.join(' | ')}`,
          details: { key: setting.path, source: where, allowed: setting.allowed },
        });
      }
      if (setting.type === 'path') return isAbsolute(raw) ? raw : resolve(base, raw);
      return raw;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      return bad('true or false');
    }
    case 'integer':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      const isWhole = setting.type === 'number' || Number.isInteger(n);
      const range = `${setting.min ?? '-∞'}..${setting.max ?? '∞'}`;
      const expected = `${setting.type === 'integer' ? 'an integer' : 'a number'} in ${range}`;
      if (!Number.isFinite(n) || !isWhole) return bad(expected);
      if ((setting.min !== undefined && n < setting.min) || (setting.max !== undefined && n > setting.max)) {
        throw new CustosError('ERR_CONFIG_INVALID', {
          message: `setting "${setting.path}" (from ${where}) must be ${expected}, got ${n}`,
          hint: setting.path === 'audit.retentionDays'
            ? 'the Cybersecurity Law requires network logs to be kept at least six months (180 days)'
            : `choose a value in ${range}`,
          details: { key: setting.path, source: where },
        });
      }
      return n;
    }
  }
};

const setPath = (target: Record<string, unknown>, path: string, value: unknown): void => {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
};

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
};

/** Every setting with its environment variable and default, for `custos config` and the docs. */
export const describeSettings = (): readonly { path: string; env?: string; default: unknown; allowed?: readonly string[] }[] =>
  settings.map((s) => ({ path: s.path, env: s.env, default: s.default, allowed: s.allowed }));
