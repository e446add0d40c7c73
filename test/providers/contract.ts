/**
 * The checks every built-in provider passes, driven by a per-provider spec:
 * the real SDK against a local fake server, key header, base URL, a real
 * call, and the live validation outcomes with the canary never leaking.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtinProviders } from '../../src/providers/builtin.js';
import { createClient } from '../../src/providers/create-client.js';
import { getProvider } from '../../src/providers/registry.js';
import type { ProviderCallInput } from '../../src/providers/types.js';
import { runKeyValidation } from '../../src/providers/validate.js';
import { Secret } from '../../src/secret.js';
import type { ConfigOptions } from '../../src/store/types.js';
import {
  closedPortUrl,
  LOCAL_ENDPOINTS,
  startFakeServer,
  type FakeServer,
  type RecordedRequest,
} from './fake-server.js';
import { expectNoKeyLeak } from './leak.js';

export interface ProviderSpec {
  id: string;
  /** A canary key in a format the descriptor accepts. */
  key: string;
  /** The key's header as the SDK sends it, e.g. `(key) => ['authorization', `Bearer ${key}`]`. */
  keyHeader: (key: string) => [name: string, value: string];
  /** Base URL for a server at `serverUrl`; include a path prefix to prove it is honoured. */
  baseUrl: (serverUrl: string) => string;
  options?: ConfigOptions;
  /** Options for the SDK that keep tests fast (no retries). */
  clientOptions?: Record<string, unknown>;
  /**
   * Environment variables a misbehaving client would pick up instead of the
   * tenant's settings. Every value that could become a header contains `from-env`.
   */
  platformEnv?: Record<string, string>;
  /** The real call through the created client, and what the server should see and answer. */
  call: {
    run: (client: unknown) => Promise<unknown>;
    method: string;
    path: string;
    response: unknown;
    /** Checks the SDK's parsed result. */
    check: (result: unknown) => void;
  };
  /** The key check of validateKey. */
  list: { method: string; path: string; response: unknown };
  /** The model check of validateKey, when the provider has one. */
  model?: { name: string; method: string; path: string; response: unknown };
  /** Status the fake answers an invalid key with (default 401). */
  invalidKeyStatus?: number;
}

/** A `Resolution`-shaped source for createClient. */
export function sourceFor(spec: ProviderSpec, baseUrl: string | null, model: string | null = null) {
  return {
    provider: spec.id,
    baseUrl,
    model,
    options: spec.options ?? {},
    key: new Secret(spec.key),
    configName: 'test',
  };
}

export function describeProviderContract(spec: ProviderSpec): void {
  describe(`${spec.id}: contract`, () => {
    let server: FakeServer;
    const descriptor = getProvider(builtinProviders, spec.id);
    const input = (overrides: Partial<ProviderCallInput> = {}): ProviderCallInput => ({
      apiKey: spec.key,
      baseUrl: spec.baseUrl(server.url),
      model: null,
      options: spec.options ?? {},
      ...overrides,
    });
    const [headerName, headerValue] = spec.keyHeader(spec.key);
    const expectKeyHeader = (request: RecordedRequest | undefined) => {
      expect(request, 'the server received a request').toBeDefined();
      expect(request!.headers[headerName]).toBe(headerValue);
    };

    beforeAll(async () => {
      server = await startFakeServer();
    });
    afterAll(async () => {
      await server.close();
    });
    afterEach(() => {
      server.requests.length = 0;
      vi.unstubAllEnvs();
    });

    it('accepts the canary key format', () => {
      expect(descriptor.checkKeyFormat(spec.key)).toBeNull();
    });

    it('builds the real SDK client; a call goes to the base URL with the key header', async () => {
      for (const [name, value] of Object.entries(spec.platformEnv ?? {})) vi.stubEnv(name, value);
      server.respond((request) =>
        request.method === spec.call.method && request.path === spec.call.path
          ? { status: 200, body: spec.call.response }
          : { status: 404, body: { error: { message: `no route ${request.method} ${request.path}` } } },
      );
      const client = await createClient(sourceFor(spec, spec.baseUrl(server.url)), {
        ...LOCAL_ENDPOINTS,
        ...(spec.clientOptions ? { clientOptions: spec.clientOptions } : {}),
      });
      const result = await spec.call.run(client);
      spec.call.check(result);
      expect(server.requests).toHaveLength(1);
      const [request] = server.requests;
      expect(request!.method).toBe(spec.call.method);
      expect(request!.path).toBe(spec.call.path);
      expectKeyHeader(request);
      // Every platformEnv value contains "from-env"; none may reach the tenant's endpoint.
      expect(Object.values(request!.headers).join('\n')).not.toContain('from-env');
    });

    it('validateKey: 200 -> valid, with the cheapest call', async () => {
      server.respond(() => ({ status: 200, body: spec.list.response }));
      const result = await runKeyValidation(descriptor, input(), LOCAL_ENDPOINTS);
      expect(result).toEqual({ status: 'valid' });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.method).toBe(spec.list.method);
      expect(server.requests[0]!.path).toBe(spec.list.path);
      expectKeyHeader(server.requests[0]);
    });

    if (spec.model) {
      const model = spec.model;
      it('validateKey with a model: model found -> valid; 404 on the model -> forbidden_model', async () => {
        server.respond((request) =>
          request.path === model.path
            ? { status: 200, body: model.response }
            : { status: 200, body: spec.list.response },
        );
        expect(await runKeyValidation(descriptor, input({ model: model.name }), LOCAL_ENDPOINTS)).toEqual({
          status: 'valid',
        });
        expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
          `${spec.list.method} ${spec.list.path}`,
          `${model.method} ${model.path}`,
        ]);
        server.respond((request) =>
          request.path === model.path
            ? { status: 404, body: { error: { message: 'model not found', type: 'not_found_error' } } }
            : { status: 200, body: spec.list.response },
        );
        const result = await runKeyValidation(descriptor, input({ model: model.name }), LOCAL_ENDPOINTS);
        expect(result.status).toBe('forbidden_model');
        expect(result.httpStatus).toBe(404);
      });
    }

    it('validateKey: invalid key -> invalid_key, and the echoed key is scrubbed', async () => {
      const status = spec.invalidKeyStatus ?? 401;
      // A hostile or careless endpoint that echoes the key back in its error.
      server.respond(() => ({
        status,
        body: {
          error: {
            message: `Incorrect API key provided: ${spec.key}`,
            type: 'authentication_error',
            code: 'invalid_api_key',
          },
        },
      }));
      const result = await runKeyValidation(descriptor, input(), LOCAL_ENDPOINTS);
      expect(result.status).toBe('invalid_key');
      expect(result.httpStatus).toBe(status);
      expectNoKeyLeak(result, spec.key);
    });

    it('validateKey: 429 -> rate_limited, one request only (no retries)', async () => {
      server.respond(() => ({
        status: 429,
        body: { error: { message: 'slow down', type: 'rate_limit_error' } },
        headers: { 'retry-after': '0' },
      }));
      const result = await runKeyValidation(descriptor, input(), LOCAL_ENDPOINTS);
      expect(result.status).toBe('rate_limited');
      expect(result.httpStatus).toBe(429);
      expect(server.requests).toHaveLength(1);
    });

    it('validateKey: 500 -> unexpected', async () => {
      server.respond(() => ({ status: 500, body: { error: { message: 'boom' } } }));
      const result = await runKeyValidation(descriptor, input(), LOCAL_ENDPOINTS);
      expect(result.status).toBe('unexpected');
      expect(result.httpStatus).toBe(500);
    });

    it('validateKey: nothing listening -> unreachable', async () => {
      const url = await closedPortUrl();
      const result = await runKeyValidation(descriptor, input({ baseUrl: spec.baseUrl(url) }), LOCAL_ENDPOINTS);
      expect(result.status).toBe('unreachable');
      expect(result.httpStatus).toBeUndefined();
      expectNoKeyLeak(result, spec.key);
    });

    it('never hands the SDK an empty key', async () => {
      await expect(descriptor.createClient(input({ apiKey: '' }))).rejects.toMatchObject({
        code: 'KEY_FORMAT_INVALID',
      });
      await expect(descriptor.createClient(input({ apiKey: '   ' }))).rejects.toMatchObject({
        code: 'KEY_FORMAT_INVALID',
      });
      await expect(descriptor.createClient(input({ apiKey: undefined as unknown as string }))).rejects.toMatchObject({
        code: 'KEY_FORMAT_INVALID',
      });
      expect(server.requests).toHaveLength(0);
    });
  });
}
