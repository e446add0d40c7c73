/**
 * Together AI (`openai` package, `OpenAI` client at Together's base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/**
 * Together AI. New keys start with `tgp_v1_` (shown in hints); older keys
 * are 64 hex characters, so no prefix is required. Validation: `GET /models`.
 */
const togetherProvider = openAICompatibleProvider({
  id: 'together',
  label: 'Together AI',
  defaultBaseUrl: 'https://api.together.xyz/v1',
  keyPrefixes: ['tgp_v1_'],
  check: 'models',
});

export default togetherProvider;
