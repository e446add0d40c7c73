/**
 * Which {@link CipherBackend} seals and opens: chosen once, on first use,
 * as the fastest one the runtime has (`node:crypto`, else WebCrypto, else
 * `@noble/*`, imported only then). A native backend is used only after it
 * reproduced known answers (computed with noble, checked against it by the
 * test suite), so a broken or partial polyfill falls back to noble instead
 * of writing bytes nothing else can open.
 *
 * @module
 */
import { equalBytes } from '../bytes.js';
import { loadNodeCrypto, nodeCryptoBackend } from './node.js';
import { loadNobleBackend } from './noble.js';
import type { CipherBackend, CipherBackendName } from './types.js';
import { webCryptoBackend } from './webcrypto.js';
import { byokitMessage } from '../../message.js';

let detected: CipherBackend | Promise<CipherBackend> | undefined;
let forced: CipherBackend | undefined;

/** Deterministic test bytes: byte i = (seed * 31 + i * 7) mod 256. */
export function knownAnswerBytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (byte) => Number.parseInt(byte, 16));
}

/**
 * The known answers, as noble computes them: AES-256-GCM of 20 bytes under
 * key (32, 1), nonce (12, 2), AAD (24, 4), plaintext (20, 3); and HKDF-SHA256
 * of key (32, 1) with info (23, 5), 64 bytes.
 */
export const KNOWN_ANSWERS = {
  sealed: '80bfca994c04cacb9b92f9f3a2c1385a2be98c56538ed4b2f05762b314714c968bc5a4c4',
  okm: '7d9d6c85e33e7c9132e850a4c2cb45e5228656917d8a0b2b5ad10dfe02be7f26d11c2707011931c8fc08a4913b3a84eda93bb89a9ee51dca0882f812d62c4858',
};

/** Whether `candidate` gives the known answers for a seal, an open and a derivation; synchronously for a synchronous backend. */
function givesKnownAnswers(candidate: CipherBackend): boolean | Promise<boolean> {
  const key = knownAnswerBytes(32, 1);
  const [nonce, plaintext, aad, info] = [
    knownAnswerBytes(12, 2),
    knownAnswerBytes(20, 3),
    knownAnswerBytes(24, 4),
    knownAnswerBytes(23, 5),
  ];
  const sealed = fromHex(KNOWN_ANSWERS.sealed);
  const compare = ([s, o, d]: Uint8Array[]) =>
    equalBytes(s!, sealed) && equalBytes(o!, plaintext) && equalBytes(d!, fromHex(KNOWN_ANSWERS.okm));
  try {
    const results = [
      candidate.sealGcm(key, nonce, plaintext, aad),
      candidate.openGcm(key, nonce, sealed, aad),
      candidate.hkdf64(key, info),
    ];
    if (results.some((result) => result instanceof Promise)) return Promise.all(results).then(compare, () => false);
    return compare(results as Uint8Array[]);
  } catch {
    return false;
  }
}

/** The native backend the runtime offers, if any, in order of preference. */
function nativeBackend(): CipherBackend | null {
  const nodeCrypto = loadNodeCrypto();
  return nodeCrypto ? nodeCryptoBackend(nodeCrypto) : webCryptoBackend();
}

/**
 * The backend to use given the runtime's native one: `native` when it gives
 * the known answers, else noble. Synchronous for node:crypto, so the hot
 * path never awaits a choice.
 */
export function chooseCipherBackend(native: CipherBackend | null): CipherBackend | Promise<CipherBackend> {
  const agrees = native ? givesKnownAnswers(native) : false;
  if (agrees instanceof Promise) return agrees.then((ok) => (ok ? native! : loadNobleBackend()));
  return agrees ? native! : loadNobleBackend();
}

/**
 * The backend in use, chosen on first use. Synchronous once chosen; while a
 * WebCrypto backend is being checked or noble is being imported, a promise
 * of it.
 */
export function cipherBackend(): CipherBackend | Promise<CipherBackend> {
  if (forced) return forced;
  if (detected) return detected;
  const choice = chooseCipherBackend(nativeBackend());
  detected = choice instanceof Promise ? choice.then((backend) => (detected = backend)) : choice;
  if (detected instanceof Promise) detected.catch(() => (detected = undefined));
  return detected;
}

/**
 * @internal Test and benchmark seam: makes every seal and open use the named
 * backend, or the one given (`null` returns to the automatic choice).
 * Rejects when the runtime lacks it.
 */
export async function forceCipherBackend(
  backend: CipherBackendName | CipherBackend | null,
): Promise<CipherBackend | null> {
  if (backend === null) {
    forced = undefined;
    return null;
  }
  const chosen =
    typeof backend === 'object'
      ? backend
      : backend === 'noble'
        ? await loadNobleBackend()
        : backend === 'node'
          ? ((nodeCrypto) => nodeCrypto && nodeCryptoBackend(nodeCrypto))(loadNodeCrypto())
          : webCryptoBackend();
  if (!chosen) throw new Error(byokitMessage('crypto', `this runtime has no ${String(backend)} backend`));
  forced = chosen;
  return chosen;
}
