/**
 * Perplexity (`openai` package, `OpenAI` client at Perplexity's base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/**
 * Perplexity. Keys start with `pplx-`. Validation: a zero-token
 * `POST /chat/completions` with no messages (the config's model, else
 * `sonar`), where the 400 after authentication counts as valid: Perplexity's
 * model list answers without a key.
 */
const perplexityProvider = openAICompatibleProvider({
  id: 'perplexity',
  label: 'Perplexity',
  defaultBaseUrl: 'https://api.perplexity.ai',
  keyPrefixes: ['pplx-'],
  requiredPrefixes: ['pplx-'],
  check: { probe: 'sonar' },
});

export default perplexityProvider;
