/**
 * The demo's keyrings: the master keys (KEKs) that wrap every stored
 * provider key, and the keys of access-key hashes.
 *
 * PRODUCTION: set `BYOKIT_MASTER_KEYS` (and `BYOKIT_ACCESS_KEY_SECRETS`)
 * from your secret manager, or give the vault a KMS-backed `KekProvider`.
 * Never keep them in a file beside the database, as this demo does when the
 * variables are unset: whoever copies the folder then holds both the
 * ciphertexts and the keys that open them. See docs/rotation.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring } from 'byokit';

export interface DemoKeyrings {
  masterKeys: Keyring;
  accessKeySecrets: Keyring;
}

/** The variable's keyring, else one kept in `<dataDir>/<file>`, generated on first start. */
function demoKeyring(
  env: Record<string, string | undefined>,
  variable: string,
  dataDir: string,
  file: string,
): Keyring {
  if (env[variable]) return Keyring.fromEnv(env, variable);
  const path = join(dataDir, file);
  if (!existsSync(path)) writeFileSync(path, `${Keyring.generateEntry('demo1')}\n`, { mode: 0o600 });
  return Keyring.parse(readFileSync(path, 'utf8').trim());
}

export function loadDemoKeyrings(env: Record<string, string | undefined>, dataDir: string): DemoKeyrings {
  return {
    masterKeys: demoKeyring(env, 'BYOKIT_MASTER_KEYS', dataDir, 'master-keys.demo'),
    accessKeySecrets: demoKeyring(env, 'BYOKIT_ACCESS_KEY_SECRETS', dataDir, 'access-key-secrets.demo'),
  };
}
