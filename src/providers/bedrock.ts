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
import * as z from 'zod/mini';
import { checkBaseUrl, stringOption } from './call-input.js';
import type { CredentialSpec } from './credential.js';
import type { ProviderDescriptor } from './types.js';

/** Values of the `sdk` option. */
export const BEDROCK_SDKS = ['aws', 'anthropic'] as const;

/** A Bedrock credential: AWS access keys and the region they call. */
export interface BedrockCredential {
  /** `AKIA...` (long-term) or `ASIA...` (temporary, with `sessionToken`). Not secret: it is the hint. */
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** The AWS region, e.g. `us-east-1`; the default endpoint is `https://bedrock-runtime.<region>.amazonaws.com`. */
  region: string;
}

/** Where a Bedrock credential is checked on `setKey`. */
export const bedrockCredential: CredentialSpec<BedrockCredential> = {
  schema: /* @__PURE__ */ z.strictObject({
    accessKeyId: z.string().check(z.regex(/^A[A-Z0-9]{15,127}$/, 'must be an AWS access key id (20 upper-case letters and digits, e.g. "AKIA...")')),
    secretAccessKey: z.string().check(z.regex(/^[A-Za-z0-9/+=]{16,128}$/, 'must be an AWS secret access key (letters, digits, / + =)')),
    sessionToken: z.optional(z.string().check(z.regex(/^[A-Za-z0-9/+=]{16,4096}$/, 'must be an AWS session token (letters, digits, / + =)'))),
    region: z.string().check(z.regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'must be an AWS region, e.g. "us-east-1"')),
  }),
  hint: (c) => `${c.accessKeyId.slice(0, 4)}...${c.accessKeyId.slice(-4)}`,
};

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
  credential: bedrockCredential,
  checkKeyFormat: () => `${LABEL} takes a credential object ({ accessKeyId, secretAccessKey, sessionToken?, region }), not a string key`,
  checkOptions: (options, baseUrl) => {
    const problems = checkBaseUrl(baseUrl, false, LABEL);
    const sdk = stringOption(options, 'sdk');
    if (options['sdk'] !== undefined && !BEDROCK_SDKS.includes(sdk as (typeof BEDROCK_SDKS)[number])) problems.push('options.sdk must be "aws" or "anthropic"');
    return problems;
  },
  createClient: async (input) => (await lazy()).createBedrockClient(input),
  validateKey: async (input) => (await lazy()).validateBedrockKey(input),
};

export default bedrockProvider;
