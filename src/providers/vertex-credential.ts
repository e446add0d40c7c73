/**
 * The Vertex AI credential's schema and hint, loaded with the first Vertex
 * credential the vault checks (see `vertex.ts`).
 *
 * @module
 */
import * as z from 'zod/mini';
import type { CredentialSpec } from './credential.js';

/** A Vertex AI credential: a service-account key and where it calls. */
export interface VertexCredential {
  /** The service-account JSON key file's content (`type: 'service_account'`); other fields of the file are kept. */
  serviceAccount: {
    /** Always `service_account`: other Google credential files (user, external account) are refused. */
    type: 'service_account';
    /** The service account's e-mail. Not secret: it is the hint. */
    client_email: string;
    /** The PEM private key (`-----BEGIN PRIVATE KEY-----...`) that signs token requests. Secret. */
    private_key: string;
    /** The key's id (hex), sent in the signed token's header when present. */
    private_key_id?: string | undefined;
    /** The project the service account belongs to: the default of `project`. */
    project_id?: string | undefined;
    /** Where tokens are fetched (through the endpoint policy); default Google's `https://oauth2.googleapis.com/token`. */
    token_uri?: string | undefined;
    /** The key file's other fields, kept as they are. */
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
        client_email: z
          .string()
          .check(z.regex(/^[^@\s]{1,100}@[a-z0-9.-]{1,200}$/, 'must be the service account e-mail')),
        private_key: z
          .string()
          .check(
            z.regex(
              /^\s*-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\s]+-----END PRIVATE KEY-----\s*$/,
              'must be a PEM private key ("-----BEGIN PRIVATE KEY-----...")',
            ),
          ),
        private_key_id: z.optional(z.string().check(z.regex(/^[a-f0-9]{1,100}$/, 'must be a key id (hex)'))),
        project_id: z.optional(z.string().check(z.regex(PROJECT, 'must be a Google Cloud project id'))),
        token_uri: z.optional(z.string().check(z.regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'))),
      }),
      project: z.optional(z.string().check(z.regex(PROJECT, 'must be a Google Cloud project id'))),
      location: z._default(
        z
          .string()
          .check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'must be a Vertex AI location, e.g. "us-central1" or "global"')),
        'us-central1',
      ),
    })
    .check(
      z.refine((c) => (c.project ?? c.serviceAccount.project_id) !== undefined, {
        message: 'required when the service account has no project_id',
        path: ['project'],
      }),
    ),
  hint: (c) => {
    const [local, domain = ''] = c.serviceAccount.client_email.split('@') as [string, string?];
    return `${local.slice(0, 30)}@${domain.split('.')[0]!.slice(0, 30)}.iam...`;
  },
  coerce: (input) => ((input as { type?: unknown }).type === 'service_account' ? { serviceAccount: input } : input),
};
