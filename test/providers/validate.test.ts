import { describe, expect, it } from 'vitest';
import { ByokitError, NoKeyError, ProviderError, ValidationError } from '../../src/errors.js';
import type { ProviderDescriptor } from '../../src/providers/types.js';
import { httpStatusOf, isConnectionFailure, ProviderHttpError } from '../../src/providers/error-chain.js';
import { scrubError, toSafeError } from '../../src/providers/safe-error.js';
import { scrubSecret } from '../../src/providers/scrub-secret.js';
import { checkModelAccess, classifyValidationError, runKeyValidation } from '../../src/providers/validate.js';
import { canaryKey, expectNoKeyLeak } from './leak.js';

describe('scrubSecret', () => {
  const key = 'sk-proj-abcdef0123456789XYZW';

  it('removes the key and every run of more than four of its characters', () => {
    expect(scrubSecret(`key=${key};`, key)).toBe('key=[redacted];');
    expect(scrubSecret('tail 6789XYZW and part cdef01', key)).toBe('tail [redacted] and part [redacted]');
    // Four characters are hint-sized and stay.
    expect(scrubSecret('ends with XYZW', key)).toBe('ends with XYZW');
  });

  it('removes the URL-encoded key too', () => {
    const k = 'abc/def+ghi=jkl/mnop';
    expect(scrubSecret(`GET /x?key=${encodeURIComponent(k)}`, k)).toBe('GET /x?key=[redacted]');
  });

  it('handles short keys and empty inputs', () => {
    expect(scrubSecret('value abc here', 'abc')).toBe('value [redacted] here');
    expect(scrubSecret('', key)).toBe('');
    expect(scrubSecret('text', '')).toBe('text');
  });
});

describe('scrubError / toSafeError', () => {
  it('copies the cause chain scrubbed, keeps status and code, drops attached objects', () => {
    const key = canaryKey('sk-');
    const root = Object.assign(new Error(`connect ECONNREFUSED (auth ${key})`), { code: 'ECONNREFUSED' });
    const top = Object.assign(new Error(`401 Incorrect API key provided: ${key}`, { cause: root }), {
      status: 401,
      headers: { authorization: `Bearer ${key}` },
    });
    const safe = scrubError(top, key, 'calling X');
    expect(safe).toBeInstanceOf(ProviderError);
    expect(safe.code).toBe('PROVIDER_REQUEST_FAILED');
    expect(safe.message).toBe('[byokit] [providers] calling X: 401 Incorrect API key provided: [redacted]');
    const cause = safe.cause as Error & { status?: number; headers?: unknown; cause?: Error & { code?: string } };
    expect(cause.status).toBe(401);
    expect(cause.headers).toBeUndefined();
    expect(cause.cause?.code).toBe('ECONNREFUSED');
    expectNoKeyLeak(safe, key);
  });

  it('survives cycles and non-error throws', () => {
    const key = canaryKey();
    const a: Error & { cause?: unknown } = new Error(`a ${key}`);
    a.cause = a;
    expectNoKeyLeak(scrubError(a, key), key);
    expectNoKeyLeak(scrubError(`string ${key}`, key), key);
    expect(scrubError(undefined, key).message).toContain('unknown error');
  });

  it('keeps a clean byokit error as is; one that mentions the key becomes a scrubbed copy of the same class and code', () => {
    const key = canaryKey();
    const clean = new ProviderError('PROVIDER_SDK_MISSING', '[byokit] [providers] install x');
    expect(toSafeError(clean, key)).toBe(clean);
    const dirty = new ProviderError('PROVIDER_SDK_MISSING', `[byokit] [providers] ${key}`, {
      cause: Object.assign(new Error(`echo ${key}`), { headers: { authorization: key } }),
    });
    const copy = toSafeError(dirty, key);
    expect(copy).not.toBe(dirty);
    expect(copy).toBeInstanceOf(ProviderError);
    expect(copy).toMatchObject({ name: 'ProviderError', code: 'PROVIDER_SDK_MISSING' });
    expect(copy.message).toBe('[byokit] [providers] [redacted]');
    expect(copy.stack).toContain('[byokit] [providers] [redacted]');
    expect((copy.cause as Error).message).toBe('echo [redacted]');
    expect((copy.cause as { headers?: unknown }).headers).toBeUndefined();
    expectNoKeyLeak(copy, key);
  });

  it('a typed error keeps its class, code and fields when a URL port or stack line matches five characters of the key', () => {
    // Scrubbing removes runs of five: `127.0.0.1:35297` reads as `12700135297` with punctuation skipped.
    const key = 'AIzaCANARYab35297cdef0123456789abcdef01';
    const refused = new ByokitError('ENDPOINT_REFUSED', '[byokit] [providers] http://127.0.0.1:35297/proxy is refused');
    const copy = toSafeError(refused, key);
    expect(copy).toBeInstanceOf(ByokitError);
    expect(copy.code).toBe('ENDPOINT_REFUSED');
    expect(copy.message).not.toContain('35297');
    const issues = [{ path: `options.${key}`, message: 'not allowed' }];
    const invalid = toSafeError(new ValidationError(`[byokit] [config] ${key}`, issues), key);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).issues).toEqual([{ path: 'options.[redacted]', message: 'not allowed' }]);
    expectNoKeyLeak(invalid, key);
  });
});

describe('toSafeError: what a kept or copied byokit error may carry', () => {
  const key = 'sk-proj-ABCDEFGHIJKLMNOP1234567890';
  class WithExtra extends ByokitError {
    constructor(
      message: string,
      readonly extra: unknown,
      cause?: unknown,
    ) {
      super('PROVIDER_REQUEST_FAILED', message, { cause });
    }
  }

  it('keeps an error whose fields are clean plain data, by identity', () => {
    const error = new WithExtra('[byokit] [providers] refused', { issues: [{ path: 'baseUrl', n: 1 }] });
    expect(toSafeError(error, key)).toBe(error);
    const noKey = new NoKeyError('[byokit] [resolve] no key', [{ step: 'tenant', outcome: 'skipped' } as never]);
    expect(toSafeError(noKey, key)).toBe(noKey);
  });

  it('copies an error with a clean message whose cause carries the key in an attached object', () => {
    const sdkError = Object.assign(new Error('401'), { headers: { authorization: `Bearer ${key}` }, status: 401 });
    const error = new WithExtra('[byokit] [providers] the call failed', null, sdkError);
    const safe = toSafeError(error, key);
    expect(safe).not.toBe(error);
    expect(safe).toBeInstanceOf(WithExtra);
    expect(safe.message).toBe('[byokit] [providers] the call failed');
    expect(safe.cause).toMatchObject({ message: '401', status: 401 });
    expect((safe.cause as { headers?: unknown }).headers).toBeUndefined();
    expectNoKeyLeak(safe, `CANARY${key}`);
    expect(JSON.stringify(safe)).not.toContain('ABCDEFGH');
  });

  it('drops functions and symbols, and scrubs field names, of a copied error', () => {
    const fn = Object.assign(() => key, { secret: key });
    const dirty = (extra: unknown) => toSafeError(new WithExtra(`[byokit] [providers] ${key}`, extra), key);
    expect((dirty(fn) as WithExtra).extra).toBeUndefined();
    expect((dirty(Symbol(key)) as WithExtra).extra).toBeUndefined();
    expect((dirty({ headers: { [key]: 'v', kept: 1 } }) as WithExtra).extra).toEqual({
      headers: { '[redacted]': 'v', kept: 1 },
    });
    // The same when the message is clean: a function or a key-named field alone makes it copy.
    expect(toSafeError(new WithExtra('clean', fn), key)).toMatchObject({ extra: undefined, message: 'clean' });
    expect(toSafeError(new WithExtra('clean', { [key]: 1 }), key)).toMatchObject({ extra: { '[redacted]': 1 } });
  });

  it('survives a cycle through fields and causes', () => {
    const loop: Record<string, unknown> = { note: key };
    loop.self = loop;
    const error = new WithExtra(`[byokit] [providers] ${key}`, loop);
    (error as { cause?: unknown }).cause = error;
    const safe = toSafeError(error, key) as WithExtra;
    expect(safe.extra).toMatchObject({ note: '[redacted]' });
    expect(JSON.stringify((safe.extra as { note: string }).note)).not.toContain('ABCDEFGH');
  });
});

describe('error classification', () => {
  const key = canaryKey();

  it('reads the status under every SDK spelling', () => {
    expect(httpStatusOf({ status: 401 })).toBe(401); // openai, anthropic, genai
    expect(httpStatusOf({ statusCode: 429 })).toBe(429); // mistral, cohere
    expect(httpStatusOf({ status_code: 404 })).toBe(404); // ollama
    expect(httpStatusOf({ cause: { status: 403 } })).toBe(403);
    expect(httpStatusOf({ status: 'nope' })).toBeUndefined();
  });

  it('recognises connection failures across SDKs', () => {
    expect(isConnectionFailure(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }))).toBe(
      true,
    );
    expect(isConnectionFailure(Object.assign(new Error('x'), { name: 'APIConnectionError' }))).toBe(true);
    expect(isConnectionFailure(Object.assign(new Error('x'), { name: 'ConnectionError' }))).toBe(true);
    expect(isConnectionFailure(Object.assign(new Error('x'), { name: 'CohereTimeoutError' }))).toBe(true);
    expect(isConnectionFailure(new Error('fetch failed', { cause: { code: 'ENOTFOUND' } }))).toBe(true);
    expect(isConnectionFailure(new AggregateError([{ code: 'ECONNREFUSED' }]))).toBe(true);
    expect(isConnectionFailure(new Error('bad json'))).toBe(false);
  });

  it('maps statuses to typed results whose detail is our own wording, never the provider message', () => {
    expect(classifyValidationError({ status: 401, message: `nope ${key}`, code: 'invalid_api_key' }, key)).toEqual({
      status: 'invalid_key',
      httpStatus: 401,
      detail: 'the provider refused the key (HTTP 401, invalid_api_key)',
    });
    expect(classifyValidationError({ statusCode: 403, message: 'forbidden' }, key)).toEqual({
      status: 'invalid_key',
      httpStatus: 403,
      detail: 'the provider refused the key (HTTP 403)',
    });
    expect(classifyValidationError({ statusCode: 429, message: 'slow' }, key).status).toBe('rate_limited');
    expect(classifyValidationError({ status: 502, message: 'x' }, key)).toMatchObject({
      status: 'unexpected',
      httpStatus: 502,
    });
    expect(classifyValidationError(new Error('x'.repeat(1000)), key).detail).toBe('the validation call failed');
    expect(classifyValidationError(Object.assign(new Error('t'), { name: 'TimeoutError' }), key).status).toBe(
      'unreachable',
    );
  });

  it('shows a provider error code only when it is a short identifier that carries no part of the key', () => {
    const withCode = (code: unknown) => classifyValidationError({ status: 401, message: 'm', code }, key).detail;
    expect(withCode('authentication_error')).toBe('the provider refused the key (HTTP 401, authentication_error)');
    expect(withCode('has spaces and <html>')).toBe('the provider refused the key (HTTP 401)');
    expect(withCode('x'.repeat(41))).toBe('the provider refused the key (HTTP 401)');
    expect(withCode('x'.repeat(40))).toBe(`the provider refused the key (HTTP 401, ${'x'.repeat(40)})`);
    // Digits never: a reversed key, or its UTF-16 hex, would pass as an identifier.
    expect(withCode('code_1234')).toBe('the provider refused the key (HTTP 401)');
    expect(withCode([...key].reverse().join('').slice(0, 30))).toBe('the provider refused the key (HTTP 401)');
    expect(withCode(Buffer.from(key, 'utf16le').toString('hex').slice(0, 40))).toBe(
      'the provider refused the key (HTTP 401)',
    );
    // Letters only, but a piece of the key, forwards or reversed, in any case.
    const letters = 'sk-proj-abcdefghijklmnopQRSTUVWXyz';
    const withLetterCode = (code: string) =>
      classifyValidationError({ status: 401, message: 'm', code }, letters).detail;
    expect(withLetterCode('ponmlkjih')).toBe('the provider refused the key (HTTP 401)');
    expect(withLetterCode('GHIJKL')).toBe('the provider refused the key (HTTP 401)');
    expect(withLetterCode('invalid_api_key')).toBe('the provider refused the key (HTTP 401, invalid_api_key)');
    expect(withCode(key.slice(6, 30))).toBe('the provider refused the key (HTTP 401)');
    expect(withCode(Buffer.from(key).toString('hex').slice(0, 40))).toBe('the provider refused the key (HTTP 401)');
    // Nested the way @anthropic-ai/sdk keeps it: { error: { error: { type } } }.
    const nested = classifyValidationError(
      { status: 401, error: { type: 'error', error: { type: 'authentication_error' } } },
      key,
    );
    expect(nested.detail).toBe('the provider refused the key (HTTP 401, authentication_error)');
  });

  it('ProviderHttpError keeps the status and a JSON error code, never the body', () => {
    const error = new ProviderHttpError(
      400,
      JSON.stringify({
        error: { message: `bad ${key}`, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] },
      }),
    );
    expect(error.message).toBe('HTTP 400 (API_KEY_INVALID)');
    expect(error.providerCode).toBe('API_KEY_INVALID');
    expect(new ProviderHttpError(502, `<html>${key}</html>`).message).toBe('HTTP 502');
  });
});

describe('runKeyValidation with host descriptors', () => {
  const base = { label: 'Host', keyPrefixes: [], checkKeyFormat: () => null, createClient: async () => ({}) };
  const input = (key: string) => ({ apiKey: key, baseUrl: null, model: null, options: {} });

  it('maps a thrown ProviderHttpError and scrubs it', async () => {
    const key = canaryKey();
    const descriptor: ProviderDescriptor = {
      ...base,
      id: 'host',
      validateKey: async () => {
        throw new ProviderHttpError(401, `{"error":"bad key ${key}"}`);
      },
    };
    const result = await runKeyValidation(descriptor, input(key));
    expect(result).toMatchObject({ status: 'invalid_key', httpStatus: 401 });
    expectNoKeyLeak(result, key);
  });

  it('scrubs a returned detail and turns an unknown status into unexpected', async () => {
    const key = canaryKey();
    const descriptor: ProviderDescriptor = {
      ...base,
      id: 'host',
      validateKey: async () => ({ status: 'weird' as 'valid', detail: `echo ${key}` }),
    };
    const result = await runKeyValidation(descriptor, input(key));
    expect(result).toEqual({ status: 'unexpected', detail: 'echo [redacted]' });
    const encoded = await runKeyValidation(
      { ...descriptor, validateKey: async () => ({ status: 'valid', detail: `b64 ${btoa(key)}` }) },
      input(key),
    );
    expect(encoded.detail).not.toContain(btoa(key).slice(4, 16));
  });

  it('says so when a descriptor has no live check, and refuses an empty key', async () => {
    const descriptor: ProviderDescriptor = { ...base, id: 'host' };
    expect(await runKeyValidation(descriptor, input(canaryKey()))).toEqual({
      status: 'unexpected',
      detail: 'Host has no live validation call',
    });
    await expect(runKeyValidation(descriptor, input(''))).rejects.toMatchObject({ code: 'KEY_FORMAT_INVALID' });
  });

  it('checkModelAccess: 403/404 -> forbidden_model, others rethrown', async () => {
    expect(await checkModelAccess('m', async () => 1)).toEqual({ status: 'valid' });
    expect(await checkModelAccess('m', () => Promise.reject(new ProviderHttpError(403, '')))).toMatchObject({
      status: 'forbidden_model',
      httpStatus: 403,
    });
    const error = new ProviderHttpError(500, '');
    await expect(checkModelAccess('m', () => Promise.reject(error))).rejects.toBe(error);
  });
});
