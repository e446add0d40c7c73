/**
 * Ollama (`ollama` package, `Ollama` client). Ollama itself has no keys; a
 * key matters for Ollama behind an authenticating proxy or for ollama.com,
 * and is sent as `Authorization: Bearer <key>`.
 *
 * @module
 */
import type { Ollama } from 'ollama';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'Ollama';
const DEFAULT_BASE_URL = 'http://127.0.0.1:11434';
/** The client code (`ollama-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./ollama-client.js');

/**
 * Ollama. `baseUrl` is the Ollama host (default `http://127.0.0.1:11434`, a
 * loopback address: like any internal endpoint it needs the host's
 * `allowPrivateEndpoints` opt-in, else it is refused when stored and called).
 * Any non-blank printable key is accepted (proxies issue tokens in every
 * shape). Validation: `GET /api/tags`, then `POST /api/show` for the config's
 * model (404 there = `forbidden_model`). A plain local Ollama ignores the
 * key, so `valid` there only proves the endpoint answers.
 */
const ollamaProvider: ProviderDescriptor<Ollama> = {
  id: 'ollama',
  label: LABEL,
  keyPrefixes: [],
  defaultBaseUrl: DEFAULT_BASE_URL,
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL }),
  checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, LABEL),
  createClient: async (input) => (await lazy()).createOllamaClient(input),
  validateKey: async (input) => (await lazy()).validateOllamaKey(input),
};

export default ollamaProvider;
