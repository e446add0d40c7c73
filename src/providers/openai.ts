/**
 * OpenAI (`openai` package, `OpenAI` client). Key as `Authorization: Bearer`.
 *
 * @module
 */
import type { ClientOptions, OpenAI } from 'openai';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, checkBaseUrl, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import { buildOpenAIClient, openAIValidationDefaults } from './openai-family.js';
import type { ProviderCallInput, ProviderDescriptor } from './types.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'OpenAI';
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

async function build(input: ProviderCallInput, transport: Transport, defaults: Partial<ClientOptions> = {}): Promise<OpenAI> {
  return buildOpenAIClient(input, LABEL, baseUrlOr(input, DEFAULT_BASE_URL), transport, defaults);
}

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
  createClient: (input) => build(input, transportOf(input, 'openai')),
  validateKey: (input) =>
    guardedLiveCheck('openai', LABEL, input, async (transport) => {
      const client = await build(input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS));
      await client.models.list();
      if (input.model) return checkModelAccess(input.model, () => client.models.retrieve(input.model!));
      return { status: 'valid' };
    }),
};

export default openaiProvider;
