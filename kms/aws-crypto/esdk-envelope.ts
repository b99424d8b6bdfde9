// Envelope encryption through the AWS Encryption SDK (@aws-crypto/client-node). The only file
// that imports it, loaded lazily (the SDK and its KMS client take ~0.2 s to import).
import type { KeyringNode, NodeMaterialsManager } from '@aws-crypto/client-node';

/** Key material handed to the SDK's keyrings. The SDK copies it; callers zero their copy. */
export type KeyringSpec =
  | { readonly kind: 'aes'; readonly keyName: string; readonly key: Uint8Array }
  | { readonly kind: 'rsa'; readonly keyName: string; readonly publicPem: string; readonly privatePem?: string }
  | { readonly kind: 'aws-kms'; readonly generatorKeyId: string; readonly keyIds: readonly string[] };

export interface MaterialsCacheLimits {
  readonly capacity: number;
  readonly maxAgeMs: number;
  readonly maxMessagesEncrypted: number;
  readonly maxBytesEncrypted: number;
}

export interface EsdkEnvelopeOptions {
  readonly encryptKeyrings: readonly KeyringSpec[];
  readonly decryptKeyrings: readonly KeyringSpec[];
  readonly cache: MaterialsCacheLimits | undefined;
  readonly maxEncryptedDataKeys: number;
  readonly partition: string;
}

export interface EsdkEnvelope {
  encrypt(plaintext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Buffer>;
  decrypt(ciphertext: Uint8Array): Promise<{ plaintext: Buffer; context: Readonly<Record<string, string>> }>;
}

export const keyNamespace = 'custos';

export const createEsdkEnvelope = async (options: EsdkEnvelopeOptions): Promise<EsdkEnvelope> => {
  const sdk = await import('@aws-crypto/client-node');
  const toKeyring = (spec: KeyringSpec): KeyringNode => {
    switch (spec.kind) {
      case 'aes':
        return new sdk.RawAesKeyringNode({
          keyNamespace,
          keyName: spec.keyName,
          // The SDK insists on a buffer that owns its whole ArrayBuffer (not a slice of Node's pool).
          unencryptedMasterKey: new Uint8Array(spec.key),
          wrappingSuite: sdk.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
        });
      case 'rsa':
        return new sdk.RawRsaKeyringNode({
          keyNamespace,
          keyName: spec.keyName,
          rsaKey: { publicKey: spec.publicPem, ...(spec.privatePem === undefined ? {} : { privateKey: spec.privatePem }) },
          oaepHash: 'sha256',
        });
      case 'aws-kms':
        // Not exercised by the tests here (no AWS account); see kms/README.md.
        return new sdk.KmsKeyringNode({ generatorKeyId: spec.generatorKeyId, keyIds: [...spec.keyIds] });
    }
  };
  const multi = (specs: readonly KeyringSpec[], withGenerator: boolean): KeyringNode => {
    const keyrings = specs.map(toKeyring);
    return withGenerator ? new sdk.MultiKeyringNode({ generator: keyrings[0]!, children: keyrings.slice(1) }) : new sdk.MultiKeyringNode({ children: keyrings });
  };
  const withCache = (keyring: KeyringNode, partition: string): KeyringNode | NodeMaterialsManager =>
    options.cache === undefined
      ? keyring
      : new sdk.NodeCachingMaterialsManager({
          backingMaterials: keyring,
          cache: sdk.getLocalCryptographicMaterialsCache(options.cache.capacity),
          partition,
          maxAge: options.cache.maxAgeMs,
          maxMessagesEncrypted: options.cache.maxMessagesEncrypted,
          maxBytesEncrypted: options.cache.maxBytesEncrypted,
        });
  const encryptCmm = withCache(multi(options.encryptKeyrings, true), `${options.partition}:encrypt`);
  const decryptCmm = withCache(multi(options.decryptKeyrings, false), `${options.partition}:decrypt`);
  const client = sdk.buildClient({
    commitmentPolicy: sdk.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
    maxEncryptedDataKeys: options.maxEncryptedDataKeys,
  });
  // Committing and unsigned: key commitment without the cost of an ECDSA signature per message.
  const suiteId = sdk.AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
  return {
    encrypt: async (plaintext, context) => {
      const { result } = await client.encrypt(encryptCmm, plaintext, { encryptionContext: { ...context }, suiteId });
      return result;
    },
    decrypt: async (ciphertext) => {
      const { plaintext, messageHeader } = await client.decrypt(decryptCmm, ciphertext);
      return { plaintext, context: messageHeader.encryptionContext };
    },
  };
};
