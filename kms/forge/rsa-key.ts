// RSA key pairs for the raw RSA keyring, generated and serialised as PEM with node-forge
// (forge delegates generation to node:crypto when it runs on Node, so this is fast).
import forge from 'node-forge';

export interface RsaPemPair {
  readonly publicPem: string;
  readonly privatePem: string;
}

export const generateRsaPem = (bits: number): RsaPemPair => {
  const pair = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
  return { publicPem: forge.pki.publicKeyToPem(pair.publicKey), privatePem: forge.pki.privateKeyToPem(pair.privateKey) };
};
