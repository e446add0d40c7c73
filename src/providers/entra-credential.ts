/**
 * The Entra ID credential of `azure-openai`: schema and hint, loaded with
 * the first such credential the vault checks (see `azure-openai.ts`).
 *
 * @module
 */
import * as z from 'zod/mini';
import type { CredentialSpec } from './credential.js';

/** An Entra ID app registration's client credentials, for Azure OpenAI without an API key. */
export interface EntraCredential {
  /** The directory (tenant) id or domain. */
  tenantId: string;
  /** The app's (client) id. Not secret: it is the hint. */
  clientId: string;
  /** A client secret of the app registration (its value, not its id). Sealed with the rest, never shown. */
  clientSecret: string;
  /** The Entra authority for sovereign clouds, e.g. `https://login.microsoftonline.us`. Default `https://login.microsoftonline.com`. */
  authorityHost?: string | undefined;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Entra ID client credentials, the optional structured credential of `azure-openai` (a plain API key is taken too). */
export const entraCredential: CredentialSpec<EntraCredential> = {
  schema: /* @__PURE__ */ z.strictObject({
    tenantId: z
      .string()
      .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/, 'must be a directory (tenant) id or domain')),
    clientId: z.string().check(z.regex(GUID, 'must be an application (client) id (a GUID)')),
    clientSecret: z
      .string()
      .check(z.regex(/^[\x21-\x7e]{8,1024}$/, 'must be a client secret (8 or more printable characters, no spaces)')),
    authorityHost: z.optional(
      z
        .string()
        .check(
          z.regex(/^https?:\/\/[^\s/]+\/?$/, 'must be an http(s) origin, e.g. "https://login.microsoftonline.us"'),
        ),
    ),
  }),
  hint: (c) => `${c.clientId.slice(0, 8)}...${c.clientId.slice(-4)}`,
  plainKey: true,
};
