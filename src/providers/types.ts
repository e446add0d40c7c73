/**
 * The provider descriptor contract. One descriptor per provider; the
 * registry is a plain object keyed by id. Hosts register their own
 * (voice, speech-to-text, embeddings, anything keyed).
 *
 * @module
 */
import type { ConfigOptions, ValidationStatus } from '../store/types.js';

/** What a descriptor needs to build a client or make a live call. Never logged. */
export interface ProviderCallInput {
  /** The raw key; non-empty, checked before a descriptor sees it. */
  apiKey: string;
  baseUrl: string | null;
  model: string | null;
  options: ConfigOptions;
  /** Passed through to the SDK (timeouts, fetch, headers). */
  clientOptions?: Record<string, unknown>;
}

/** Outcome of a live validation call. `detail` is scrubbed text, no key. */
export interface KeyValidationResult {
  status: ValidationStatus;
  /** HTTP status, where one was received. */
  httpStatus?: number;
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
  /** Checks provider options of a config; returns problem descriptions (no values echoed). */
  checkOptions?(options: ConfigOptions, baseUrl: string | null): string[];
  /** Builds the SDK client; imports the SDK lazily. */
  createClient(input: ProviderCallInput): Promise<Client>;
  /** The cheapest live call that proves the key works. */
  validateKey?(input: ProviderCallInput): Promise<KeyValidationResult>;
}
