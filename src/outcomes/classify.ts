/**
 * An HTTP answer as an outcome: its status class and how long the
 * provider asks to wait.
 *
 * @module
 */
import type { OutcomeStatus } from './types.js';

/**
 * The outcome status of an HTTP answer. Google answers an unknown or
 * malformed key with 400 `API_KEY_INVALID` (not 401): that is an auth
 * failure too.
 */
export function statusOf(httpStatus: number, providerCode?: string): OutcomeStatus {
  if (httpStatus >= 200 && httpStatus < 300) return 'ok';
  if (httpStatus === 401 || (httpStatus === 400 && providerCode === 'API_KEY_INVALID')) return 'auth_failed';
  if (httpStatus === 403) return 'forbidden';
  if (httpStatus === 429) return 'rate_limited';
  if (httpStatus >= 500) return 'server_error';
  return 'client_error';
}

/** Seconds in a Go-style duration as OpenAI's `x-ratelimit-reset-*` headers write them: `1s`, `6m0s`, `20ms`, `1h2m3.5s`. */
function durationSeconds(text: string): number | undefined {
  const parts = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(
    text.trim(),
  );
  if (!parts || text.trim() === '') return undefined;
  const [, h = '0', m = '0', s = '0', ms = '0'] = parts;
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

function nonNegative(seconds: number): number | undefined {
  return Number.isFinite(seconds) ? Math.max(0, Math.round(seconds * 1000) / 1000) : undefined;
}

/**
 * How many seconds the provider asks to wait, from (in this order)
 * `retry-after-ms` (OpenAI, Azure; milliseconds), `retry-after` (seconds or
 * an HTTP date), then the providers' reset headers: OpenAI's
 * `x-ratelimit-reset-requests` / `-tokens` (durations) and Anthropic's
 * `anthropic-ratelimit-*-reset` (RFC 3339 times), taking the latest reset
 * among them (the one that surely lifts the limit). `undefined` when none
 * says.
 */
export function retryAfterOf(headers: Headers, now: number): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return nonNegative(Number(ms) / 1000);
  const after = headers.get('retry-after');
  if (after !== null) {
    if (/^\d+(\.\d+)?$/.test(after.trim())) return nonNegative(Number(after));
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return nonNegative((date - now) / 1000);
  }
  const resets: number[] = [];
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const value = headers.get(name);
    const seconds = value === null ? undefined : durationSeconds(value);
    if (seconds !== undefined) resets.push(seconds);
  }
  for (const name of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    const value = headers.get(`anthropic-ratelimit-${name}-reset`);
    const date = value === null ? Number.NaN : Date.parse(value);
    if (!Number.isNaN(date)) resets.push((date - now) / 1000);
  }
  return resets.length > 0 ? nonNegative(Math.max(...resets)) : undefined;
}

/** Gemini's wait in a 429 body: `error.details[].retryDelay`, e.g. `"12s"` or `"0.5s"`. */
export function retryDelayInBody(text: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(text);
  return match ? nonNegative(Number(match[1])) : undefined;
}
