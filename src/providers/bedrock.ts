/**
 * Amazon Bedrock. The credential is structured: an access key id, its
 * secret, an optional session token and the region, sealed together. Two
 * clients, both optional peers: `@aws-sdk/client-bedrock-runtime`
 * (`BedrockRuntimeClient`, the default) and `@anthropic-ai/bedrock-sdk`
 * (`AnthropicBedrock`, config option `sdk: 'anthropic'` or
 * `createClient(r, 'bedrock-anthropic')`). The clients' code lives in
 * `bedrock-client.ts`, loaded on first use.
 *
 * @module
 */
import { checkBaseUrl, stringOption } from './call-input.js';
import type { ProviderDescriptor } from './types.js';

/** Values of the `sdk` option. */
export const BEDROCK_SDKS = ['aws', 'anthropic'] as const;

const LABEL = 'Amazon Bedrock';
const lazy = () => import('./bedrock-client.js');

/**
 * Amazon Bedrock. Key: an object `{ accessKeyId, secretAccessKey,
 * sessionToken?, region }` (or its JSON), hinted `AKIA...WXYZ`. `baseUrl`:
 * optional (a VPC endpoint, a proxy); default
 * `https://bedrock-runtime.<region>.amazonaws.com`. Option `sdk`: `'aws'`
 * (default, `BedrockRuntimeClient`) or `'anthropic'` (`AnthropicBedrock`).
 * Every request is SigV4-signed by the SDK with the tenant's credential and
 * sent through byokit's guarded transport. Validation: a zero-token
 * `Converse` with no messages to the config's model (400 after
 * authentication: valid; `AccessDeniedException`: `forbidden_model`;
 * `UnrecognizedClientException` / `InvalidSignatureException`: `invalid_key`).
 */
const bedrockProvider: ProviderDescriptor = {
  id: 'bedrock',
  label: LABEL,
  keyPrefixes: [],
  // The schema is loaded with the first credential set: a bundle that never stores one doesn't carry it.
  credential: { load: async () => (await import('./bedrock-credential.js')).bedrockCredential },
  checkKeyFormat: () =>
    `${LABEL} takes a credential object ({ accessKeyId, secretAccessKey, sessionToken?, region }), not a string key`,
  checkOptions: (options, baseUrl) => {
    const problems = checkBaseUrl(baseUrl, false, LABEL);
    const sdk = stringOption(options, 'sdk');
    if (options.sdk !== undefined && !BEDROCK_SDKS.includes(sdk as (typeof BEDROCK_SDKS)[number]))
      problems.push('options.sdk must be "aws" or "anthropic"');
    return problems;
  },
  createClient: async (input) => (await lazy()).createBedrockClient(input),
  validateKey: async (input) => (await lazy()).validateBedrockKey(input),
};

export default bedrockProvider;
