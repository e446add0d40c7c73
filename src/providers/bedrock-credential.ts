/**
 * The Bedrock credential's schema and hint, loaded with the first Bedrock
 * credential the vault checks (see `bedrock.ts`).
 *
 * @module
 */
import * as z from 'zod/mini';
import type { CredentialSpec } from './credential.js';

/** A Bedrock credential: AWS access keys and the region they call. */
export interface BedrockCredential {
  /** `AKIA...` (long-term) or `ASIA...` (temporary, with `sessionToken`). Not secret: it is the hint. */
  accessKeyId: string;
  /** The secret half of the access key (letters, digits, `/ + =`). Sealed with the rest, never shown. */
  secretAccessKey: string;
  /** The STS session token that comes with temporary (`ASIA...`) keys; absent for long-term keys. Secret. */
  sessionToken?: string | undefined;
  /** The AWS region, e.g. `us-east-1`; the default endpoint is `https://bedrock-runtime.<region>.amazonaws.com`. */
  region: string;
}

/** Where a Bedrock credential is checked on `setKey`. */
export const bedrockCredential: CredentialSpec<BedrockCredential> = {
  schema: /* @__PURE__ */ z.strictObject({
    accessKeyId: z
      .string()
      .check(
        z.regex(
          /^A[A-Z0-9]{15,127}$/,
          'must be an AWS access key id (20 upper-case letters and digits, e.g. "AKIA...")',
        ),
      ),
    secretAccessKey: z
      .string()
      .check(z.regex(/^[A-Za-z0-9/+=]{16,128}$/, 'must be an AWS secret access key (letters, digits, / + =)')),
    sessionToken: z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9/+=]{16,4096}$/, 'must be an AWS session token (letters, digits, / + =)')),
    ),
    region: z.string().check(z.regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'must be an AWS region, e.g. "us-east-1"')),
  }),
  hint: (c) => `${c.accessKeyId.slice(0, 4)}...${c.accessKeyId.slice(-4)}`,
};
