import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config.js';

export type { Logger } from 'pino';

/**
 * Field names that hold personal data. Code must not log values in the first place (log ids
 * and counts); this list is the second net: any such key, at the top level or up to three
 * levels deep, is replaced by "[redacted]".
 */
export const personalDataKeys: readonly string[] = [
  'name', 'fullName', 'patientName', 'familyName', 'givenName',
  'idCardNo', 'idCard', 'idNumber', 'residentId', 'sfzh', 'passport', 'passportNo',
  'phone', 'mobile', 'telephone', 'tel', 'email',
  'address', 'homeAddress', 'birthDate', 'dateOfBirth', 'dob',
  'bankCard', 'bankCardNo', 'cardNo', 'insuranceNo', 'medicalRecordNo',
  'diagnosis', 'diagnoses', 'password', 'token', 'authorization', 'cookie', 'rootKey', 'secret',
];

const redactPaths = (): string[] => {
  const paths: string[] = [];
  for (const key of personalDataKeys) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  paths.push('req.headers.authorization', 'req.headers.cookie');
  return paths;
};

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** `auto` prints human-readable lines on a terminal and JSON otherwise. */
  readonly format?: 'json' | 'pretty' | 'auto';
  /** Where to write; defaults to standard error so that `--json` output on stdout stays clean. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /**
   * Asynchronous, buffered JSON lines for servers: writes gather up to `minLength` bytes (4 KiB)
   * and go out without blocking the event loop (pino writes to standard error synchronously by
   * default, which cost the sidecar about 30% of its throughput at `info`). `true` writes to
   * standard error (fd 2); `{ dest }` to another fd or file. The owner must call `flushLogger`
   * on graceful shutdown and `flushLoggerSync` before a fatal exit, or the tail is lost. Ignored
   * when `destination` is given or the output is pretty (a terminal). Default: off (the CLI).
   */
  readonly buffered?: boolean | { readonly dest?: number | string; readonly minLength?: number };
}

const BUFFER_BYTES = 4096;

/**
 * Creates the process' one logger, in the composition root; modules take children of it.
 *
 * @example
 * const log = createLogger({ level: 'info' });
 * log.child({ module: 'audit' }).info({ seq: 42 }, 'event appended');
 */
export const createLogger = (options: LoggerOptions = {}): Logger => {
  const destination = options.destination ?? process.stderr;
  const format = options.format ?? 'auto';
  const isTerminal = (destination as { isTTY?: boolean }).isTTY === true;
  const usePretty = format === 'pretty' || (format === 'auto' && isTerminal);
  const pinoOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactPaths(), censor: '[redacted]' },
    base: { pid: process.pid },
  };
  if (usePretty) {
    const stream = pretty({ colorize: isTerminal, destination: destination as NodeJS.WritableStream, sync: true });
    return pino(pinoOptions, stream);
  }
  const buffered = options.buffered;
  if (buffered !== undefined && buffered !== false && options.destination === undefined) {
    const spec = buffered === true ? {} : buffered;
    // pino also registers an exit hook that flushes this stream synchronously (on-exit-leak-free).
    const stream = pino.destination({ dest: spec.dest ?? 2, sync: false, minLength: spec.minLength ?? BUFFER_BYTES });
    return pino(pinoOptions, stream);
  }
  return pino(pinoOptions, destination as DestinationStream);
};

/**
 * Writes out what a buffered logger holds; resolves once it is written (at once for unbuffered
 * loggers). Never rejects: a log that cannot be written must not block a shutdown.
 *
 * @example
 * await sidecar.close(); await flushLogger(logger);
 */
export const flushLogger = (logger: Logger): Promise<void> =>
  new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });

/**
 * Writes out what a buffered logger holds, synchronously: for a fatal exit, when the event loop
 * will not run again (`process.on('exit', …)`, before `process.exit(1)`).
 *
 * @example
 * process.on('exit', () => flushLoggerSync(logger));
 */
export const flushLoggerSync = (logger: Logger): void => {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as { flushSync?: () => void } | undefined;
  try {
    stream?.flushSync?.();
  } catch {
    // EAGAIN on a full pipe, or a stream not yet open: nothing more can be done at exit.
  }
};

/** A logger that drops everything: the default for libraries embedded in other services. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
