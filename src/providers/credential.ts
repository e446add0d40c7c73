/**
 * Structured credentials: a provider whose credential is not one string
 * (AWS access keys and region, a Google service account, an Entra app)
 * declares its shape as a schema. The vault validates it on `setKey`,
 * seals it whole as one JSON secret, hints it by its non-secret id, and
 * only `createClient` (through the descriptor) reads it back.
 *
 * @module
 */
import { CredentialInvalidError, ProviderError } from '../errors.js';
import type { ValidationIssue } from '../errors.js';
import { scrubSecret } from './scrub-secret.js';
import { byokitMessage } from '../message.js';

/** One problem a schema found: where (`path`) and what, in the schema's words. */
export interface CredentialSchemaIssue {
  /** The keys from the credential's root to the bad field (`['serviceAccount', 'private_key']`); empty for the whole. */
  readonly path: readonly PropertyKey[];
  /** What is wrong. byokit scrubs every string of the input out of it before it reaches an error. */
  readonly message: string;
}

/**
 * What byokit needs of a credential schema: zod's `safeParse` (a `zod` or
 * `zod/mini` object schema fits as it is).
 */
export interface CredentialSchema<T> {
  /** Checks `input` without throwing: the credential as it is to be sealed, or the issues found. */
  safeParse(input: unknown):
    | {
        /** The input matches. */
        success: true;
        /** The parsed credential (defaults applied): what gets sealed, as JSON. */
        data: T;
      }
    | {
        /** The input does not match. */
        success: false;
        /** Why not. */
        error: {
          /** Every problem found; byokit reports the first 20, by dotted path. */
          issues: readonly CredentialSchemaIssue[];
        };
      };
}

/**
 * A descriptor's credential declaration (`ProviderDescriptor.credential`).
 *
 * @example
 * ```ts
 * import * as z from 'zod/mini';
 * const credential: CredentialSpec<{ accountId: string; token: string }> = {
 *   schema: z.strictObject({ accountId: z.string(), token: z.string().check(z.minLength(20)) }),
 *   hint: (c) => `acct:${c.accountId}`,
 * };
 * ```
 */
export interface CredentialSpec<T = unknown> {
  /** The credential's shape; what it outputs is what gets sealed. */
  readonly schema: CredentialSchema<T>;
  /** The public hint of a valid credential, from its non-secret id (e.g. `AKIA...WXYZ`). Never from a secret field. */
  hint(credential: T): string;
  /** Also take a plain string key (checked by `checkKeyFormat`): for a provider whose credential is optional (`azure-openai`). */
  readonly plainKey?: boolean;
  /** Turns an accepted alternative form into the schema's input (e.g. a bare service-account JSON). */
  coerce?(input: unknown): unknown;
}

/**
 * A credential declaration whose schema loads on first use, so a bundle
 * that never stores such a credential does not carry it (the built-in
 * `bedrock`, `vertex` and `azure-openai` declare theirs this way).
 */
export interface LazyCredentialSpec {
  /** As {@link CredentialSpec.plainKey}: known before the schema loads. */
  readonly plainKey?: boolean;
  /** Gives the spec, usually by a dynamic `import()`; called on every credential the vault checks, so it must be cheap after the first call. */
  // biome-ignore lint/suspicious/noExplicitAny: a lazy spec's credential type is only known to its descriptor.
  load(): Promise<CredentialSpec<any>>;
}

/** What a descriptor's `credential` may be: the spec, or a loader of it. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds descriptors of every credential type.
export type CredentialDeclaration = CredentialSpec<any> | LazyCredentialSpec;

/** The spec of a declaration, loading it when it is lazy. */
export async function credentialSpecOf(declaration: CredentialDeclaration): Promise<CredentialSpec> {
  return 'load' in declaration ? declaration.load() : declaration;
}

/** What a key or credential becomes before sealing: the text to seal and its hint. */
export interface PreparedKey {
  plaintext: string;
  hint: string;
}

/** Longest hint a credential's `hint` may give. */
const MAX_HINT_LENGTH = 80;

/** Every string of `value`, for scrubbing messages that might quote one. */
function stringsOf(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'object' && value !== null && depth < 6)
    for (const inner of Object.values(value)) stringsOf(inner, out, depth + 1);
  return out;
}

/** A schema's issues as byokit issues: dotted path, message scrubbed of every string of the input. */
function issuesOf(issues: readonly CredentialSchemaIssue[], input: unknown): ValidationIssue[] {
  const secrets = stringsOf(input).filter((s) => s.length >= 5);
  return issues.slice(0, 20).map((issue) => {
    let message = typeof issue.message === 'string' ? issue.message : 'is invalid';
    for (const secret of secrets) message = scrubSecret(message, secret);
    return { path: issue.path.map(String).join('.') || '(credential)', message };
  });
}

function invalid(label: string, issues: ValidationIssue[]): CredentialInvalidError {
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new CredentialInvalidError(
    byokitMessage('providers', `the ${label} credential is not valid: ${list}`),
    issues,
  );
}

/** The object a credential is given as: the object itself, or JSON text of one. */
function objectOf(spec: CredentialSpec, label: string, input: unknown): unknown {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw invalid(label, [{ path: '(credential)', message: 'must be an object, or JSON text of one' }]);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(label, [{ path: '(credential)', message: 'must be an object, or JSON text of one' }]);
  }
  return spec.coerce ? spec.coerce(value) : value;
}

/** Whether `key` is to be taken as a plain key of a provider whose credential is optional. */
export function isPlainKey(spec: Pick<CredentialSpec, 'plainKey'> | undefined, key: unknown): key is string {
  return (
    typeof key === 'string' && (spec === undefined || (spec.plainKey === true && !key.trimStart().startsWith('{')))
  );
}

/**
 * Validates a structured credential and returns what to seal (its JSON,
 * as the schema output it) and its hint. Throws a
 * {@link CredentialInvalidError} naming each bad field, never its value.
 */
export function prepareCredential(spec: CredentialSpec, label: string, input: unknown): PreparedKey {
  const value = objectOf(spec, label, input);
  const parsed = spec.schema.safeParse(value);
  if (!parsed.success) throw invalid(label, issuesOf(parsed.error.issues, value));
  const plaintext = JSON.stringify(parsed.data);
  const hint = spec.hint(parsed.data);
  if (typeof hint !== 'string' || hint.length === 0 || hint.length > MAX_HINT_LENGTH) {
    throw new ProviderError(
      'KEY_FORMAT_INVALID',
      byokitMessage('providers', `the ${label} descriptor gave no usable hint for the credential`),
    );
  }
  return { plaintext, hint };
}

/**
 * The credential a descriptor was handed (`input.apiKey` holds its sealed
 * JSON), parsed again with its schema. For descriptors' `createClient` and
 * `validateKey`; a value that does not parse throws `KEY_FORMAT_INVALID`
 * naming fields only.
 */
export function readCredential<T>(spec: CredentialSpec<T>, label: string, apiKey: string): T {
  const value = objectOf(spec as CredentialSpec, label, apiKey);
  const parsed = spec.schema.safeParse(value);
  if (!parsed.success) throw invalid(label, issuesOf(parsed.error.issues, value));
  return parsed.data;
}
