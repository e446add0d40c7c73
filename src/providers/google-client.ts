/**
 * The Google clients and the Gemini API key check, loaded on first use
 * (`google.ts` holds the descriptor; see it for what each SDK can and can't
 * be guarded against).
 *
 * @module
 */
import type { GoogleGenAI, GoogleGenAIOptions } from '@google/genai';
import type { CachedContent, GoogleGenerativeAI, ModelParams, RequestOptions } from '@google/generative-ai';
import type { ConfigOptions } from '../values.js';
import type { FetchFunction } from '../net/guarded-fetch.js';
import { endpointRefused } from '../net/resolved-addresses.js';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, requireKey, stringOption, transportOf } from './call-input.js';
import { GOOGLE_BASE_URL as DEFAULT_BASE_URL, type GoogleClient } from './google.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { ProviderHttpError } from './error-chain.js';
import { checkModelAccess, guardedLiveCheck } from './validate.js';

const LABEL = 'Google';
const DEFAULT_API_VERSION = 'v1beta';

function useGenai(options: ConfigOptions): boolean {
  return stringOption(options, 'sdk') === 'genai';
}

/**
 * `@google/generative-ai` takes the base URL per model, not per client, so the
 * returned client is a subclass that puts the config's base URL (and API
 * version) into every model it hands out. The base URL is applied last: a
 * stored key only ever goes to the endpoint configured with it.
 */
async function buildGenerativeAI(
  input: ProviderCallInput,
  apiKey: string,
  transport: Transport,
): Promise<GoogleGenerativeAI> {
  const baseUrl = baseUrlOr(input, DEFAULT_BASE_URL);
  // No fetch option in this SDK: nothing can refuse its redirects or check its addresses, so it
  // may only talk to Google itself. The host's policy still decides whether Google is allowed.
  if (baseUrl.toLowerCase() !== DEFAULT_BASE_URL) {
    throw endpointRefused(
      "a base URL other than Google's",
      "@google/generative-ai has no fetch option, so byokit can't guard it; use options.sdk: 'genai' or createClient(r, 'google-genai')",
    );
  }
  await transport.check(baseUrl);
  const { GoogleGenerativeAI } = await loadSdk<typeof import('@google/generative-ai')>('@google/generative-ai');
  const apiVersion = stringOption(input.options, 'apiVersion');
  const defaults: RequestOptions = {
    ...(input.clientOptions as RequestOptions | undefined),
    ...(apiVersion === undefined ? {} : { apiVersion }),
  };
  class PinnedGoogleGenerativeAI extends GoogleGenerativeAI {
    override getGenerativeModel(modelParams: ModelParams, requestOptions?: RequestOptions) {
      return super.getGenerativeModel(modelParams, { ...defaults, ...requestOptions, baseUrl });
    }
    override getGenerativeModelFromCachedContent(
      cachedContent: CachedContent,
      modelParams?: Partial<ModelParams>,
      requestOptions?: RequestOptions,
    ) {
      return super.getGenerativeModelFromCachedContent(cachedContent, modelParams, {
        ...defaults,
        ...requestOptions,
        baseUrl,
      });
    }
  }
  return new PinnedGoogleGenerativeAI(apiKey);
}

/** The WebSocket callbacks @google/genai's Live APIs hand their factory. */
interface LiveCallbacks {
  onopen(event: Event): void;
  onmessage(event: MessageEvent): void;
  onerror(event: unknown): void;
  onclose(event: unknown): void;
}

/**
 * A socket in the shape @google/genai's Live APIs expect (`connect`,
 * `send`, `close`), opened through `transport`. A refusal reaches the
 * session's `onerror` (with the `NetworkError` as `error`) and `onclose`,
 * the way the SDK reports any connection that fails.
 */
function guardedLiveSocket(
  transport: Transport,
  url: string,
  headers: Record<string, string>,
  callbacks: LiveCallbacks,
) {
  let opening: Promise<WebSocket> | undefined;
  let socket: WebSocket | undefined;
  return {
    connect(): void {
      opening = transport.openWebSocket(url, headers).then((opened) => {
        socket = opened;
        return Object.assign(opened, callbacks);
      });
      opening.catch((error: Error) => {
        callbacks.onerror({ type: 'error', error, message: error.message });
        callbacks.onclose({ type: 'close', code: 1006, reason: error.message, wasClean: false });
      });
    },
    send(message: string): void {
      if (!socket) throw new Error('WebSocket is not connected');
      socket.send(message);
    },
    close(): void {
      opening?.then(
        (opened) => opened.close(),
        () => undefined,
      );
    },
  };
}

/**
 * Gives `client.live` and `client.live.music` (which open WebSockets
 * through a factory of their own, never through `httpOptions.fetch`) a
 * factory that opens them through `transport`. A version of the SDK
 * without those fields fails the build, rather than leave a WebSocket
 * unguarded.
 */
export function guardLiveApis(client: GoogleGenAI, transport: Transport): void {
  const live = client.live as unknown as { webSocketFactory?: unknown; music?: { webSocketFactory?: unknown } };
  if (!live?.webSocketFactory || !live.music?.webSocketFactory) {
    throw endpointRefused('the Live API', "this @google/genai version's WebSockets can't be guarded");
  }
  live.webSocketFactory = live.music.webSocketFactory = {
    create: (url: string, headers: Record<string, string>, callbacks: LiveCallbacks) =>
      guardedLiveSocket(transport, url, headers, callbacks),
  };
}

async function buildGenai(input: ProviderCallInput, apiKey: string, transport: Transport): Promise<GoogleGenAI> {
  const { GoogleGenAI } = await loadSdk<typeof import('@google/genai')>('@google/genai');
  const clientOptions = (input.clientOptions ?? {}) as GoogleGenAIOptions;
  const apiVersion = stringOption(input.options, 'apiVersion');
  const hostFetch = clientOptions.httpOptions?.fetch as FetchFunction | undefined;
  const client = new GoogleGenAI({
    ...clientOptions,
    apiKey,
    // Explicit `false`: unset, GOOGLE_GENAI_USE_VERTEXAI / _ENTERPRISE in the
    // environment would switch the client to Vertex AI and the platform's
    // Google Cloud credentials.
    vertexai: false,
    enterprise: false,
    // Explicit base URL: unset, the SDK reads GOOGLE_GEMINI_BASE_URL.
    httpOptions: {
      ...clientOptions.httpOptions,
      baseUrl: baseUrlOr(input, DEFAULT_BASE_URL),
      ...(apiVersion === undefined ? {} : { apiVersion }),
      // A host's own httpOptions.fetch is kept, behind the guard.
      fetch: hostFetch ? transport.wrap(hostFetch) : transport.fetch,
    },
  });
  guardLiveApis(client, transport);
  return client;
}

/** GET a Gemini API path with the key header; throws {@link ProviderHttpError} on a non-2xx answer. */
async function getJson(input: ProviderCallInput, apiKey: string, path: string, transport: Transport): Promise<void> {
  const base = baseUrlOr(input, DEFAULT_BASE_URL);
  const version = stringOption(input.options, 'apiVersion') ?? DEFAULT_API_VERSION;
  // The transport bounds the whole validation (headers and body).
  const response = await transport.fetch(`${base}/${version}/${path}`, { headers: { 'x-goog-api-key': apiKey } });
  const body = await response.text();
  if (!response.ok) throw new ProviderHttpError(response.status, body);
}

/** Google answers a malformed or unknown key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID), not 401. */
function isInvalidKeyAnswer(error: unknown): error is ProviderHttpError {
  return error instanceof ProviderHttpError && error.status === 400 && error.providerCode === 'API_KEY_INVALID';
}

/** The client the config's `sdk` option names. */
export async function createGoogleClient(input: ProviderCallInput): Promise<GoogleClient> {
  const apiKey = requireKey(input, LABEL);
  const transport = transportOf(input, 'google');
  return useGenai(input.options) ? buildGenai(input, apiKey, transport) : buildGenerativeAI(input, apiKey, transport);
}

/** `GET /{version}/models?pageSize=1`, then the config's model. */
export function validateGoogleKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('google', LABEL, input, async (transport): Promise<KeyValidationResult> => {
    const apiKey = requireKey(input, LABEL);
    try {
      await getJson(input, apiKey, 'models?pageSize=1', transport);
    } catch (error) {
      if (isInvalidKeyAnswer(error))
        return {
          status: 'invalid_key',
          httpStatus: 400,
          detail: 'the provider refused the key (HTTP 400, API_KEY_INVALID)',
        };
      throw error;
    }
    const model = input.model;
    if (model) {
      const name = model.startsWith('models/') ? model.slice('models/'.length) : model;
      return checkModelAccess(model, () => getJson(input, apiKey, `models/${encodeURIComponent(name)}`, transport));
    }
    return { status: 'valid' };
  });
}
