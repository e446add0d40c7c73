/**
 * xAI Grok (`openai` package, `OpenAI` client at xAI's base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/** xAI. Keys start with `xai-`. Validation: `GET /models`. */
const xaiProvider = openAICompatibleProvider({
  id: 'xai',
  label: 'xAI',
  defaultBaseUrl: 'https://api.x.ai/v1',
  keyPrefixes: ['xai-'],
  requiredPrefixes: ['xai-'],
  check: 'models',
});

export default xaiProvider;
