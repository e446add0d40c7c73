/**
 * OpenAI (`openai` package, `OpenAI` client). Key as `Authorization: Bearer`.
 *
 * @module
 */
import type { OpenAI } from 'openai';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'OpenAI';
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The client code (`openai-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./openai-client.js');

/**
 * OpenAI. Keys must start with `sk-` (every OpenAI key format so far: `sk-`,
 * `sk-proj-`, `sk-svcacct-`, `sk-admin-`); replace this descriptor in your
 * registry if that ever changes before we ship an update. Options:
 * `organization`, `project` (optional, sent as `OpenAI-Organization` /
 * `OpenAI-Project`). Validation: `GET /models`, then `GET /models/{model}`
 * when the config names a model (403/404 there = `forbidden_model`).
 */
const openaiProvider: ProviderDescriptor<OpenAI> = {
  id: 'openai',
  label: LABEL,
  keyPrefixes: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 'sk-'],
  defaultBaseUrl: DEFAULT_BASE_URL,
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL, minLength: 20, requiredPrefixes: ['sk-'] }),
  checkOptions: (_options, baseUrl) => checkBaseUrl(baseUrl, false, LABEL),
  createClient: async (input) => (await lazy()).createOpenAIClient(input),
  validateKey: async (input) => (await lazy()).validateOpenAIKey(input),
};

export default openaiProvider;
