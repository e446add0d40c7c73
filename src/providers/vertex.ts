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
import * as z from 'zod/mini';
import { checkBaseUrl, stringOption } from './call-input.js';
import type { CredentialSpec } from './credential.js';
import type { ProviderDescriptor } from './types.js';

/** Values of the `sdk` option. */
export const VERTEX_SDKS = ['genai', 'anthropic'] as const;

/** A Vertex AI credential: a service-account key and where it calls. */
export interface VertexCredential {
  /** The service-account JSON key file's content (`type: 'service_account'`); other fields of the file are kept. */
  serviceAccount: {
    type: 'service_account';
    /** Not secret: it is the hint. */
    client_email: string;
    private_key: string;
    private_key_id?: string | undefined;
    project_id?: string | undefined;
    token_uri?: string | undefined;
    [field: string]: unknown;
  };
  /** The Google Cloud project; default: the service account's `project_id`. */
  project?: string | undefined;
  /** The Vertex AI location (`us-central1`, `europe-west4`, `global`, ...). Default `us-central1`. */
  location: string;
}

const PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Where a Vertex credential is checked on `setKey`. A bare service-account JSON is taken as `{ serviceAccount }`. */
export const vertexCredential: CredentialSpec<VertexCredential> = {
  schema: /* @__PURE__ */ z
    .strictObject({
      serviceAccount: z.looseObject({
        type: z.literal('service_account', 'must be "service_account" (a service-account JSON key)'),
        client_email: z.string().check(z.regex(/^[^@\s]{1,100}@[a-z0-9.-]{1,200}$/, 'must be the service account e-mail')),
        private_key: z.string().check(z.regex(/^\s*-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\s]+-----END PRIVATE KEY-----\s*$/, 'must be a PEM private key ("-----BEGIN PRIVATE KEY-----...")')),
        private_key_id: z.optional(z.string().check(z.regex(/^[a-f0-9]{1,100}$/, 'must be a key id (hex)'))),
        project_id: z.optional(z.string().check(z.regex(PROJECT, 'must be a Google Cloud project id'))),
        token_uri: z.optional(z.string().check(z.regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'))),
      }),
      project: z.optional(z.string().check(z.regex(PROJECT, 'must be a Google Cloud project id'))),
      location: z._default(z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be a Vertex AI location, e.g. "us-central1" or "global"')), 'us-central1'),
    })
    .check(z.refine((c) => (c.project ?? c.serviceAccount.project_id) !== undefined, { message: 'required when the service account has no project_id', path: ['project'] })),
  hint: (c) => {
    const [local, domain = ''] = c.serviceAccount.client_email.split('@') as [string, string?];
    return `${local.slice(0, 30)}@${domain.split('.')[0]!.slice(0, 30)}.iam...`;
  },
  coerce: (input) => ((input as { type?: unknown }).type === 'service_account' ? { serviceAccount: input } : input),
};

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
  credential: vertexCredential,
  checkKeyFormat: () => `${LABEL} takes a credential object ({ serviceAccount, project?, location? }) or a service-account JSON key, not a string key`,
  checkOptions: (options, baseUrl) => {
    const problems = checkBaseUrl(baseUrl, false, LABEL);
    const sdk = stringOption(options, 'sdk');
    if (options['sdk'] !== undefined && !VERTEX_SDKS.includes(sdk as (typeof VERTEX_SDKS)[number])) problems.push('options.sdk must be "genai" or "anthropic"');
    return problems;
  },
  createClient: async (input) => (await lazy()).createVertexClient(input),
  validateKey: async (input) => (await lazy()).validateVertexKey(input),
};

export default vertexProvider;
