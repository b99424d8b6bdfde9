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
}

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
  return pino(pinoOptions, destination as DestinationStream);
};

/** A logger that drops everything: the default for libraries embedded in other services. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
