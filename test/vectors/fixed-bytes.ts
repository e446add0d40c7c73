/** Deterministic bytes for test vectors: byte i = (seed * 31 + i * 7) mod 256. */
export function fixedBytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
