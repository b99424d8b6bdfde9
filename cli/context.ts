import { loadConfig, type CustosConfig } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { ExitCode } from './exit-codes.js';
import { pick, type Bilingual, type Lang } from './i18n.js';

/** Global options every command shares (`custos --help` lists them). */
export interface GlobalOptions {
  readonly config?: string;
  readonly dataDir?: string;
  readonly json?: boolean;
  readonly lang?: Lang;
  readonly quiet?: boolean;
}

/**
 * What a command's action receives: the parsed global options, lazily loaded configuration,
 * a logger, and output helpers that honour `--json`, `--quiet` and `--lang`.
 */
export interface CliContext {
  readonly lang: Lang;
  readonly isJson: boolean;
  readonly isQuiet: boolean;
  /** Loads and validates the configuration once, with `--data-dir` and `--lang` applied. */
  config(overrides?: Readonly<Record<string, unknown>>): CustosConfig;
  logger(): Logger;
  t(text: Bilingual): string;
  /** Prints a result: the JSON value under `--json`, the human text otherwise. */
  result(human: string, json: unknown): void;
  /** Prints progress or commentary; silent under `--quiet` and `--json`. */
  info(text: string): void;
  /** Sets the exit code without ending the process, so output is flushed first. */
  setExitCode(code: number): void;
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export const createContext = (options: GlobalOptions, io: CliIo, lang: Lang): CliContext => {
  const isJson = options.json === true;
  const isQuiet = options.quiet === true;
  let loaded: CustosConfig | undefined;
  let log: Logger | undefined;
  const config = (overrides: Readonly<Record<string, unknown>> = {}): CustosConfig => {
    if (loaded !== undefined && Object.keys(overrides).length === 0) return loaded;
    const flags: Record<string, unknown> = { ...overrides };
    if (options.dataDir !== undefined) flags.dataDir = options.dataDir;
    if (options.lang !== undefined) flags.lang = options.lang;
    const value = loadConfig({ file: options.config ?? io.env.CUSTOS_CONFIG, env: io.env, overrides: flags, cwd: io.cwd });
    if (Object.keys(overrides).length === 0) loaded = value;
    return value;
  };
  return {
    lang,
    isJson,
    isQuiet,
    config,
    logger: () => {
      log ??= createLogger({
        level: isQuiet ? 'warn' : config().log.level,
        format: config().log.format,
        destination: io.stderr,
      });
      return log;
    },
    t: (text) => pick(text, lang),
    result: (human, json) => {
      io.stdout.write(isJson ? `${JSON.stringify(json, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`);
    },
    info: (text) => {
      if (!isQuiet && !isJson) io.stderr.write(`${text}\n`);
    },
    setExitCode: (code) => {
      process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
    },
  };
};

export { ExitCode };
