/**
 * Every error the hub answers with goes through here: one table from
 * byokit's stable error `code` to an HTTP status, and one Express error
 * handler that writes `{ error: { code, message, issues? } }`.
 *
 * byokit's messages never hold key material, so they are passed on. Anything
 * else (a bug, a driver error) is answered with a generic 500 and logged by
 * its name only: its message could echo a request body, key included (a
 * JSON parse error quotes its input).
 */
import type { ErrorRequestHandler } from 'express';
import { isByokitError, ValidationError, type ByokitErrorCode } from 'byokit';

/**
 * The HTTP status of each byokit error code. A `Record` over the code union,
 * so a code added to byokit fails the typecheck here until it has a status.
 */
export const STATUS_BY_CODE: Readonly<Record<ByokitErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  KEY_FORMAT_INVALID: 422, // the key is not shaped like this provider's keys
  PROVIDER_UNKNOWN: 422,
  ENDPOINT_REFUSED: 422, // a base URL the endpoint policy refuses
  PROVIDER_MISMATCH: 422,
  PERMISSION_DENIED: 403,
  RESOLUTION_DENIED: 403,
  BYOK_NOT_ENTITLED: 403,
  ACCESS_KEY_FORBIDDEN: 403,
  ACCESS_KEY_INVALID: 401,
  NOT_FOUND: 404, // also another tenant's config: the vault can't see it
  NAME_TAKEN: 409,
  CONCURRENT_UPDATE: 409,
  KEY_UNDECRYPTABLE: 409, // its master key is gone: the admin re-enters the key
  NO_KEY: 409,
  QUOTA_EXCEEDED: 429,
  PROVIDER_SDK_MISSING: 501,
  PROVIDER_REQUEST_FAILED: 502,
  REDIRECT_REFUSED: 502,
  RESPONSE_TOO_LARGE: 502,
  RESPONSE_TIMEOUT: 504,
  STORE_FAILED: 503,
  VAULT_CLOSED: 503,
  DECRYPTION_FAILED: 500,
  KEYRING_INVALID: 500,
  KEK_UNKNOWN: 500,
  ADAPTER_INVALID: 500,
  RECORD_MISMATCH: 500,
};

/** An error of the hub itself (not byokit's): a status and a stable code. */
export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** What an error answers with, and what the log line says about it. */
export interface ErrorAnswer {
  status: number;
  body: { error: { code: string; message: string; issues?: readonly { path: string; message: string }[] } };
}

/** The answer for `error`: byokit's by code, the hub's own, body-parser's, else a generic 500. */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (isByokitError(error)) {
    const issues =
      error instanceof ValidationError || error.code === 'VALIDATION_FAILED'
        ? (error as ValidationError).issues
        : undefined;
    return {
      status: STATUS_BY_CODE[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message, ...(issues ? { issues } : {}) } },
    };
  }
  if (error instanceof HubError)
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  // body-parser's errors carry a `type`; their messages may quote the body, so they are replaced.
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed')
    return { status: 400, body: { error: { code: 'BAD_JSON', message: 'the request body is not valid JSON' } } };
  if (type === 'entity.too.large')
    return { status: 413, body: { error: { code: 'BODY_TOO_LARGE', message: 'the request body is too large' } } };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as UTF-8 JSON' } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'the hub failed; see its log' } } };
}

/** The Express error handler: answers with {@link errorAnswer} and notes the code for the request log. */
export const handleErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const { status, body } = errorAnswer(error);
  res.locals.errorCode = body.error.code;
  // Unexpected errors: the log gets the class name, never a message that might quote the request.
  if (body.error.code === 'INTERNAL')
    res.locals.errorName = error instanceof Error ? error.constructor.name : typeof error;
  res.status(status).json(body);
};
