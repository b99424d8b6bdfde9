import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CustosConfig } from '../lib/config.js';
import { openKeystore, type Keystore } from './keystore.js';
import { rootKeyFromEnvironment } from './root-key.js';
import type { KmsEventHook } from './types.js';

/** The keystore file of a data directory. */
export const keystoreFile = (dataDir: string): string => join(dataDir, 'keystore.db');

/**
 * Opens the keystore of a configuration: `<dataDir>/keystore.db`, root key from
 * `CUSTOS_ROOT_KEY` or `kms.rootKeyFile`.
 *
 * @example
 * const keystore = openConfiguredKeystore(loadConfig(), { env: process.env });
 */
export const openConfiguredKeystore = (
  config: CustosConfig,
  options: { readonly env: Readonly<Record<string, string | undefined>>; readonly create?: boolean; readonly onEvent?: KmsEventHook },
): Keystore => {
  const rootKey = rootKeyFromEnvironment({ env: options.env, file: config.kms.rootKeyFile });
  if (options.create === true) mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return openKeystore({
    file: keystoreFile(config.dataDir),
    rootKey,
    create: options.create === true,
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });
};
