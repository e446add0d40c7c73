/**
 * Fireworks AI (`openai` package, `OpenAI` client at Fireworks' inference base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/**
 * Fireworks AI. Keys start with `fw_` today (shown in hints; not required,
 * older keys have no prefix). Validation: `GET /models`.
 */
const fireworksProvider = openAICompatibleProvider({
  id: 'fireworks',
  label: 'Fireworks AI',
  defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
  keyPrefixes: ['fw_'],
  check: 'models',
});

export default fireworksProvider;
