import { readFileSync } from 'node:fs';

/** One sealed-format test vector (seal-v1.json): fixed inputs and the sealed string they give. */
export interface SealVector {
  name: string;
  secret: string;
  context: { tenantId: string; configId: string; provider: string; baseUrl: string | null };
  kekId: string;
  kek: string;
  dek: string;
  nonce: string;
  wrapNonce: string;
  sealed: string;
}

export const sealVectors: SealVector[] = JSON.parse(readFileSync(new URL('./seal-v1.json', import.meta.url), 'utf8'));

export const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
