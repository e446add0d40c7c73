/**
 * DeepSeek (`openai` package, `OpenAI` client at DeepSeek's base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/** DeepSeek. Keys start with `sk-`. Validation: `GET /models`. */
const deepseekProvider = openAICompatibleProvider({
  id: 'deepseek',
  label: 'DeepSeek',
  defaultBaseUrl: 'https://api.deepseek.com',
  keyPrefixes: ['sk-'],
  requiredPrefixes: ['sk-'],
  check: 'models',
});

export default deepseekProvider;
