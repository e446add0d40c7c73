/**
 * Guards every built-in descriptor applies to its {@link ProviderCallInput}
 * before an SDK sees it, plus small option readers.
 *
 * @module
 */
import { ProviderError, ValidationError } from '../errors.js';
import { DEFAULT_NETWORK_POLICY } from '../net/endpoint-policy.js';
import type { FetchFunction } from '../net/guarded-fetch.js';
import { createTransport, type Transport } from '../net/transport.js';
import type { ConfigOptions } from '../values.js';
import type { ProviderCallInput } from './types.js';
import { byokitMessage } from '../message.js';

/**
 * The input's shape, checked before a descriptor reads it (hosts call
 * descriptors directly): a typed error, not a TypeError from inside.
 */
function checkCallInput(input: ProviderCallInput): void {
  const bad = (path: string) =>
    new ValidationError(byokitMessage('providers', `invalid call input: ${path} must be an object`), [
      { path, message: 'must be an object' },
    ]);
  if (typeof input !== 'object' || input === null) throw bad('input');
  for (const name of ['options', 'clientOptions'] as const) {
    const value: unknown = input[name];
    if (value !== undefined && (typeof value !== 'object' || value === null)) throw bad(`input.${name}`);
  }
}

/**
 * Returns the key, or throws when it is missing or blank. Several SDKs
 * (openai, @anthropic-ai/sdk, @google/genai, @mistralai/mistralai, cohere-ai)
 * read a key from the environment when handed `undefined` or `''`, which would
 * silently bill a tenant's traffic to the platform's key. Checked again here
 * (not only in `createClient`) because hosts may call a descriptor directly.
 */
export function requireKey(input: ProviderCallInput, label: string): string {
  checkCallInput(input);
  const key: unknown = input.apiKey;
  if (typeof key !== 'string' || key.trim().length === 0) {
    throw new ProviderError(
      'KEY_FORMAT_INVALID',
      byokitMessage('providers', `refusing to build the ${label} client without a key`),
    );
  }
  return key;
}

/**
 * The transport byokit handed the descriptor; called directly without one,
 * a transport with the default policy (public addresses only) around the
 * host's `clientOptions.fetch`, so a descriptor is never a way around the
 * endpoint policy.
 */
export function transportOf(input: ProviderCallInput, provider: string): Transport {
  checkCallInput(input);
  if (input.transport) return input.transport;
  const hostFetch = input.clientOptions?.fetch;
  return createTransport({
    policy: DEFAULT_NETWORK_POLICY,
    request: { tenantId: '', provider, action: 'request' },
    ...(typeof hostFetch === 'function' ? { base: hostFetch as FetchFunction } : {}),
  });
}

/** Returns the base URL without trailing slashes, or throws when a required one is missing. */
export function requireBaseUrl(input: ProviderCallInput, label: string): string {
  if (typeof input.baseUrl !== 'string' || input.baseUrl.trim().length === 0) {
    throw new ValidationError(byokitMessage('providers', `a base URL is required for ${label}`), [
      { path: 'baseUrl', message: `required for ${label}` },
    ]);
  }
  return trimTrailingSlashes(input.baseUrl.trim());
}

/** The config's base URL (trailing slashes removed), else `fallback`. */
export function baseUrlOr(input: ProviderCallInput, fallback: string): string {
  const url = typeof input.baseUrl === 'string' && input.baseUrl.trim().length > 0 ? input.baseUrl.trim() : fallback;
  return trimTrailingSlashes(url);
}

/** `url` without trailing slashes, so SDKs that append `/path` don't produce `//path`. */
export function trimTrailingSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}

/** A non-empty string option, else `undefined`. */
export function stringOption(options: ConfigOptions | undefined, name: string): string | undefined {
  const value = options?.[name];
  return typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined;
}

/** Problems with a base URL value: must parse as an http(s) URL. Never echoes the value. */
export function checkBaseUrl(baseUrl: string | null, required: boolean, label: string): string[] {
  if (baseUrl === null || baseUrl.trim().length === 0) {
    return required ? [`a base URL is required for ${label}`] : [];
  }
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    return [`the ${label} base URL is not a valid URL`];
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return [`the ${label} base URL must use http or https`];
  if (parsed.username !== '' || parsed.password !== '') {
    return [`the ${label} base URL must not carry credentials; the key is set separately`];
  }
  return [];
}

/**
 * Deadline of one live validation, all its requests together, headers and
 * bodies. A validation is one or two small GETs; an endpoint that takes
 * longer is reported `unreachable` (reason `timeout`). Hosts can shorten it
 * per call (`timeoutMs`).
 */
export const VALIDATION_TIMEOUT_MS = 10_000;
