// The Ed25519 key export manifests are signed with (config.api.signingKeyFile, PKCS#8 PEM). The API
// creates it on its first start, readable by its owner only; auditors keep the public half (its
// SHA-256 fingerprint is in every manifest) and check exports offline with `sentrail verify-export`.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key: what auditors keep. */
  publicKeyPem: string;
  /** Hex SHA-256 of the public key's SPKI DER: names the key in a manifest. */
  publicKeySha256: string;
}

/** Hex SHA-256 of a public key's SPKI DER encoding (the same figure `openssl pkey -pubout -outform DER | sha256sum` gives). */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** A public key from a PEM: a public key, or a private key whose public half is taken. */
export function publicKeyFromPem(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`not an Ed25519 key (it is ${key.asymmetricKeyType ?? 'unknown'})`);
  return key;
}

function signingKey(privateKey: KeyObject, file: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`${file}: not an Ed25519 private key (it is ${privateKey.asymmetricKeyType ?? 'unknown'})`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    publicKeySha256: publicKeyFingerprint(publicKey),
  };
}

/**
 * Reads the signing key, creating it (and its folder) first when the file does not exist: the file
 * with mode 0600, a folder it creates with 0700 (a folder needs its x bit to be entered). Relative
 * paths are from the current directory, as for the configuration file.
 */
export async function ensureSigningKey(file: string): Promise<SigningKey> {
  const path = resolve(file);
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return signingKey(createPrivateKey(existing), path);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    // `wx`: never replace a key that appeared meanwhile (another API instance starting): use that one.
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return signingKey(createPrivateKey(await readFile(path, 'utf8')), path);
  }
  return signingKey(privateKey, path);
}
