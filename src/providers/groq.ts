/**
 * Groq (`openai` package, `OpenAI` client at Groq's OpenAI-compatible base URL).
 *
 * @module
 */
import { openAICompatibleProvider } from './openai-compatible.js';

/** Groq. Keys start with `gsk_`. Validation: `GET /models`. */
const groqProvider = openAICompatibleProvider({
  id: 'groq',
  label: 'Groq',
  defaultBaseUrl: 'https://api.groq.com/openai/v1',
  keyPrefixes: ['gsk_'],
  requiredPrefixes: ['gsk_'],
  check: 'models',
});

export default groqProvider;
