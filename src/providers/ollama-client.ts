/**
 * The Ollama client and key check, loaded on first use (`ollama.ts` holds the descriptor).
 *
 * @module
 */
import type { Config, Ollama } from 'ollama';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, requireKey, transportOf } from './call-input.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Ollama';
const DEFAULT_BASE_URL = 'http://127.0.0.1:11434';

/** Host headers without any `Authorization` (in any case): the key's header is ours to set. */
function headersWithoutAuthorization(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  new Headers(headers as HeadersInit).forEach((value, name) => {
    if (name.toLowerCase() !== 'authorization') out[name] = value;
  });
  return out;
}

async function build(input: ProviderCallInput, transport: Transport): Promise<Ollama> {
  const apiKey = requireKey(input, LABEL);
  const { Ollama } = await loadSdk<typeof import('ollama')>('ollama');
  const clientOptions = (input.clientOptions ?? {}) as Partial<Config>;
  return new Ollama({
    ...clientOptions,
    // The host's own `fetch` is already wrapped inside the transport; a
    // validation's transport also carries its deadline (ollama has no timeout option).
    fetch: transport.fetch,
    // Always explicit, and checked by the transport like any other URL: the
    // SDK's own default is this same loopback address.
    host: baseUrlOr(input, DEFAULT_BASE_URL),
    // Always set: without an Authorization header, the SDK adds OLLAMA_API_KEY
    // from the environment on requests to ollama.com.
    headers: { ...headersWithoutAuthorization(clientOptions.headers), Authorization: `Bearer ${apiKey}` },
  });
}

/** Builds the Ollama client. */
export function createOllamaClient(input: ProviderCallInput): Promise<Ollama> {
  return build(input, transportOf(input, 'ollama'));
}

/** The cheapest live call that proves the key. */
export function validateOllamaKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('ollama', LABEL, input, async (transport) => {
    const client = await build(input, transport);
    await client.list();
    if (input.model) return checkModelAccess(input.model, () => client.show({ model: input.model! }));
    return { status: 'valid' };
  });
}
