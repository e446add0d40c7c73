/**
 * The provider descriptor contract. One descriptor per provider; the
 * registry is a plain object keyed by id. Hosts register their own
 * (voice, speech-to-text, embeddings, anything keyed).
 *
 * @module
 */
import type { Transport } from '../net/transport.js';
import type { ConfigOptions, ValidationStatus } from '../values.js';
import type { CredentialDeclaration } from './credential.js';

/**
 * How a descriptor reaches the network with a key. byokit sets it
 * (`createClient`, `runKeyValidation`): every request that carries the key
 * must go through `transport.fetch` (pass it as the SDK's `fetch` option),
 * or through `transport.wrap(otherFetch)`. It checks each URL against the
 * endpoint policy, never follows a redirect, and bounds a validation.
 */
export type ProviderTransport = Transport;

/** What a descriptor needs to build a client or make a live call. Never logged. */
export interface ProviderCallInput {
  /**
   * The raw key; non-empty, checked before a descriptor sees it. For a
   * structured credential, its JSON (read it with `readCredential`).
   */
  apiKey: string;
  /** The config's base URL; `null` for the provider's default. */
  baseUrl: string | null;
  /** The config's model, if any. */
  model: string | null;
  /** The config's non-secret options. */
  options: ConfigOptions;
  /** Passed through to the SDK (timeouts, fetch, headers). A host `fetch` here is wrapped by the transport, never used bare. */
  clientOptions?: Record<string, unknown>;
  /**
   * The guarded network access for this call. Set by `createClient` and
   * `runKeyValidation`; a built-in descriptor called without one builds its
   * own with the default policy (public addresses only).
   */
  transport?: ProviderTransport;
}

/** Why a validation can stop before the provider judges the key, in one list. */
export const VALIDATION_FAILURE_REASONS = [
  'endpoint_refused',
  'redirect_refused',
  'response_too_large',
  'timeout',
] as const;

/** Why a validation stopped before the provider could judge the key: one of {@link VALIDATION_FAILURE_REASONS}. */
export type ValidationFailureReason = (typeof VALIDATION_FAILURE_REASONS)[number];

/**
 * Outcome of a live validation call. `detail` is byokit's own wording (an
 * HTTP status, a provider error code at most), never provider text.
 */
export interface KeyValidationResult {
  /** The verdict: `valid`, `invalid_key`, `forbidden_model`, `rate_limited`, `unreachable` or `unexpected`. */
  status: ValidationStatus;
  /** HTTP status, where one was received. */
  httpStatus?: number;
  /**
   * Set when byokit's transport stopped the check: the endpoint policy
   * refused a URL or a resolved address (`endpoint_refused`), the endpoint
   * answered with a redirect (`redirect_refused`), or an answer went past
   * the size or time bound (`response_too_large`, `timeout`).
   */
  reason?: ValidationFailureReason;
  /** A short, scrubbed explanation (no key material), for people. */
  detail?: string;
}

/**
 * A provider: key format, hint prefix, client factory, cheapest live check.
 *
 * @typeParam Client - the SDK client type `createClient` builds.
 */
export interface ProviderDescriptor<Client = unknown> {
  /** Registry id, lower-case (`openai`, `azure-openai`, ...). */
  readonly id: string;
  /** Human name for messages and UIs. */
  readonly label: string;
  /** Public key prefixes shown in hints, e.g. `['sk-proj-', 'sk-']`. */
  readonly keyPrefixes: readonly string[];
  /** A config of this provider must have a base URL (custom endpoints, Azure). */
  readonly requiresBaseUrl?: boolean;
  /** The provider's own API base URL, for docs and validation. */
  readonly defaultBaseUrl?: string;
  /**
   * Checks a key's shape before it is stored. Returns a problem description
   * that does not echo the key, or `null` when the format is acceptable.
   */
  checkKeyFormat(key: string): string | null;
  /**
   * A structured credential (several fields, e.g. AWS access keys and a
   * region): `setKey` takes an object (or its JSON), validates it with this
   * schema and seals it whole; the descriptor reads it back from
   * `input.apiKey` with `readCredential`. With `plainKey`, a plain string
   * key is taken too (checked by `checkKeyFormat`). `{ load }` loads the
   * spec with the first credential checked (keeps it out of bundles that
   * never store one).
   */
  readonly credential?: CredentialDeclaration;
  /** Checks provider options of a config; returns problem descriptions (no values echoed). */
  checkOptions?(options: ConfigOptions, baseUrl: string | null): string[];
  /** Builds the SDK client; imports the SDK lazily. */
  createClient(input: ProviderCallInput): Promise<Client>;
  /** The cheapest live call that proves the key works. */
  validateKey?(input: ProviderCallInput): Promise<KeyValidationResult>;
}
