/**
 * Google Vertex AI. The credential is structured: a service-account JSON
 * key, and the project and location it calls, sealed together. Two
 * clients, both optional peers: `@google/genai` in Vertex mode
 * (`GoogleGenAI`, the default) and `@anthropic-ai/vertex-sdk`
 * (`AnthropicVertex`, config option `sdk: 'anthropic'` or
 * `createClient(r, 'vertex-anthropic')`). The clients' code lives in
 * `vertex-client.ts`, loaded on first use.
 *
 * @module
 */
import { checkBaseUrl, stringOption } from './call-input.js';
import type { ProviderDescriptor } from './types.js';

/** Values of the `sdk` option. */
export const VERTEX_SDKS = ['genai', 'anthropic'] as const;

const LABEL = 'Vertex AI';
const lazy = () => import('./vertex-client.js');

/**
 * Google Vertex AI. Key: `{ serviceAccount, project?, location? }` (or a
 * bare service-account JSON key, or its text), hinted
 * `name@project.iam...`. `baseUrl`: optional (a Private Service Connect
 * endpoint, a proxy), the host without version; default
 * `https://<location>-aiplatform.googleapis.com`. Option `sdk`: `'genai'`
 * (default, `GoogleGenAI` in Vertex mode) or `'anthropic'`
 * (`AnthropicVertex`). byokit exchanges the service account for an access
 * token itself (JWT grant, through the guarded transport) and hands each
 * SDK an auth client that returns it: no Application Default Credentials
 * of the platform are ever read. Validation: the token exchange (a refused
 * key is `invalid_key`), then `GET` the config's model (404:
 * `forbidden_model`), or list models when it names none; with
 * `sdk: 'anthropic'`, a zero-token Messages call with no messages.
 */
const vertexProvider: ProviderDescriptor = {
  id: 'vertex',
  label: LABEL,
  keyPrefixes: [],
  credential: { load: async () => (await import('./vertex-credential.js')).vertexCredential },
  checkKeyFormat: () =>
    `${LABEL} takes a credential object ({ serviceAccount, project?, location? }) or a service-account JSON key, not a string key`,
  checkOptions: (options, baseUrl) => {
    const problems = checkBaseUrl(baseUrl, false, LABEL);
    const sdk = stringOption(options, 'sdk');
    if (options.sdk !== undefined && !VERTEX_SDKS.includes(sdk as (typeof VERTEX_SDKS)[number]))
      problems.push('options.sdk must be "genai" or "anthropic"');
    return problems;
  },
  createClient: async (input) => (await lazy()).createVertexClient(input),
  validateKey: async (input) => (await lazy()).validateVertexKey(input),
};

export default vertexProvider;
