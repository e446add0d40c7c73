/**
 * Google Gemini API (Google AI Studio keys). Two SDKs: `@google/generative-ai`
 * (the default, for existing host code; Google has ended its support) and
 * `@google/genai` (its successor), chosen with the config option
 * `sdk: 'genai'` or by the host with `createClient(r, 'google-genai')`.
 * Both send the key as `x-goog-api-key`.
 *
 * `@google/genai` takes a `fetch` (`httpOptions.fetch`), so its requests go
 * through byokit's guarded transport; its Live and Live Music APIs, which
 * open a WebSocket with the key in the query, get a WebSocket factory that
 * opens it through the same guard. `@google/generative-ai` has no fetch
 * option (it calls the global `fetch`, follows redirects with the key
 * header, and resolves names on its own): byokit builds it only for
 * Google's own endpoint, never for a base URL a tenant chose
 * (`ENDPOINT_REFUSED`, naming `sdk: 'genai'`, which is fully guarded).
 *
 * @module
 */
import type { GoogleGenAI } from '@google/genai';
import type { GoogleGenerativeAI } from '@google/generative-ai';
import { checkBaseUrl } from './call-input.js';
import { checkKeyShape } from './key-format.js';
import type { ProviderDescriptor } from './types.js';

const LABEL = 'Google';
/** Google's Gemini API endpoint. */
export const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com';
/** Values of the `sdk` option. */
const SDKS = ['generative-ai', 'genai'] as const;
/** The clients' code (`google-client.ts`), loaded with the first client or validation. */
const lazy = () => import('./google-client.js');

/** A Google client: `GoogleGenerativeAI` (default) or `GoogleGenAI` (`sdk: 'genai'`). */
export type GoogleClient = GoogleGenerativeAI | GoogleGenAI;

/**
 * Google Gemini API. Keys must start with `AIza` (the format of Google API
 * keys for over a decade; replace this descriptor in your registry if that
 * changes before we ship an update). Options: `sdk` (`'generative-ai'`,
 * default, or `'genai'`), `apiVersion` (default `v1beta`). `baseUrl` is the
 * host without version, e.g. `https://generativelanguage.googleapis.com`.
 * Validation (plain `fetch`, so it works with either SDK):
 * `GET /{version}/models?pageSize=1`, then `GET /{version}/models/{model}`
 * when the config names a model; a 400 `API_KEY_INVALID` counts as
 * `invalid_key`.
 */
const googleProvider: ProviderDescriptor<GoogleClient> = {
  id: 'google',
  label: LABEL,
  keyPrefixes: ['AIza'],
  defaultBaseUrl: GOOGLE_BASE_URL,
  checkKeyFormat: (key) => checkKeyShape(key, { label: LABEL, minLength: 30, requiredPrefixes: ['AIza'] }),
  checkOptions: (options, baseUrl) => {
    const problems = checkBaseUrl(baseUrl, false, LABEL);
    const sdk = options.sdk;
    if (sdk !== undefined && !SDKS.includes(sdk as (typeof SDKS)[number])) {
      problems.push(`options.sdk must be one of ${SDKS.map((name) => `"${name}"`).join(', ')}`);
    }
    if (options.apiVersion !== undefined && typeof options.apiVersion !== 'string') {
      problems.push('options.apiVersion must be a string');
    }
    return problems;
  },
  createClient: async (input) => (await lazy()).createGoogleClient(input),
  validateKey: async (input) => (await lazy()).validateGoogleKey(input),
};

export default googleProvider;
