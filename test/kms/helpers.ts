import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openKeystore, type KmsEvent, type OpenKeystoreOptions } from '../../kms/index.js';

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'custos-kms-'));
export const rawRootKey = () => ({ kind: 'raw' as const, key: randomBytes(32) });
export const fastScrypt = { N: 1024, r: 8, p: 1 };

/** A fresh keystore in a temp dir with a `records-kek` wrapping key; events collected. */
export const freshKeystore = (options: Partial<OpenKeystoreOptions> = {}) => {
  const file = join(tempDir(), 'keystore.db');
  const rootKey = options.rootKey ?? rawRootKey();
  const events: KmsEvent[] = [];
  const keystore = openKeystore({ file, rootKey, create: true, scrypt: fastScrypt, onEvent: (e) => events.push(e), ...options });
  keystore.createKey({ id: 'records-kek', algorithm: 'aes-256', purpose: 'wrap' });
  return { keystore, file, rootKey, events };
};
