/**
 * OpenRouter (`openai` package, `OpenAI` client at OpenRouter's base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/**
 * OpenRouter. Keys start with `sk-or-` (`sk-or-v1-` today). Validation:
 * `GET /key` (the key's own record): OpenRouter's model list answers
 * without a key, so it proves nothing.
 */
const openrouterProvider = openAICompatibleProvider({
  id: 'openrouter',
  label: 'OpenRouter',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  keyPrefixes: ['sk-or-v1-', 'sk-or-'],
  requiredPrefixes: ['sk-or-'],
  check: { get: '/key' },
});

export default openrouterProvider;
