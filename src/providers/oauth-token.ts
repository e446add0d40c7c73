/**
 * OAuth 2.0 token requests for structured credentials whose provider takes
 * a short-lived bearer token (a Google service account's JWT grant, an
 * Entra app's client credentials), made through byokit's guarded fetch:
 * the token endpoint passes the endpoint policy, no redirect is followed,
 * and its answer is bounded like any other. Loaded on first use.
 *
 * @module
 */
import type { FetchFunction } from '../net/guarded-fetch.js';
import { errorCodeInBody } from './error-chain.js';

/**
 * The token endpoint refused the credential (`invalid_client`,
 * `invalid_grant`, ...). Its `status` is 401 whatever the endpoint
 * answered (OAuth says 400 for most refusals), so a validation reports the
 * credential as `invalid_key`; `tokenStatus` is what it answered. Carries
 * the OAuth error code at most, never the body.
 */
export class TokenRequestError extends Error {
  readonly status: number;
  readonly tokenStatus: number;
  readonly providerCode: string | undefined;
  constructor(tokenStatus: number, body: string) {
    const providerCode = errorCodeInBody(body) ?? oauthError(body);
    super(`the token endpoint refused the credential (HTTP ${tokenStatus}${providerCode ? `, ${providerCode}` : ''})`);
    this.name = 'TokenRequestError';
    this.status = tokenStatus === 400 || tokenStatus === 401 || tokenStatus === 403 ? 401 : tokenStatus;
    this.tokenStatus = tokenStatus;
    this.providerCode = providerCode;
  }
}

/** OAuth's `{ "error": "invalid_grant" }` (a string, where provider APIs nest an object). */
function oauthError(body: string): string | undefined {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

/** A bearer token and when to stop using it. */
interface Token {
  value: string;
  /** Epoch ms after which a new token is requested (a minute before it expires). */
  renewAt: number;
}

/** POSTs a form to a token endpoint; the access token and its lifetime. */
export async function requestToken(
  fetch: FetchFunction,
  url: string,
  form: Record<string, string>,
  now: () => number = Date.now,
): Promise<Token> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const body = await response.text();
  if (!response.ok) throw new TokenRequestError(response.status, body);
  let parsed: { access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    throw new TokenRequestError(502, '');
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token.length === 0) throw new TokenRequestError(502, '');
  const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in : Number(parsed.expires_in ?? 3600);
  return {
    value: parsed.access_token,
    renewAt: now() + Math.max(0, (Number.isFinite(lifetime) ? lifetime : 3600) - 60) * 1000,
  };
}

/**
 * A token source for one client: the cached token while it is fresh, else
 * one request (concurrent callers share it). A failed request is not
 * cached.
 */
export function cachedToken(request: () => Promise<Token>, now: () => number = Date.now): () => Promise<string> {
  let current: Token | null = null;
  let pending: Promise<Token> | null = null;
  return async () => {
    if (current !== null && now() < current.renewAt) return current.value;
    pending ??= request().finally(() => {
      pending = null;
    });
    current = await pending;
    return current.value;
  };
}
