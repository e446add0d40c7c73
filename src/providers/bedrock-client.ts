/**
 * The Bedrock clients, loaded on first use (`bedrock.ts` holds what the
 * vault needs to store a credential; this holds what builds clients).
 *
 * `BedrockRuntimeClient` gets a request handler that sends each signed
 * request through byokit's guarded fetch (its default handler opens
 * HTTP/2 sockets of its own, which nothing could check), and is pinned to
 * SigV4 with the tenant's keys: unset, the SDK would read
 * `AWS_BEARER_TOKEN_BEDROCK`, `AWS_AUTH_SCHEME_PREFERENCE`, the endpoint and
 * region variables and the shared config files of the platform.
 *
 * @module
 */
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import type { FetchFunction } from '../net/guarded-fetch.js';
import type { Transport } from '../net/transport.js';
import { loadModule } from '../runtime-modules.js';
import { bedrockCredential, type BedrockCredential } from './bedrock-credential.js';
import { baseUrlOr, requireKey, stringOption, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { readCredential } from './credential.js';
import { withoutEnvHeaders } from './env-headers.js';
import { loadSdk } from './load-sdk.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { classifyValidationError, guardedLiveCheck } from './validate.js';

const LABEL = 'Amazon Bedrock';
/** The model a validation probes when the config names none (any model id works: the answer is about the credential). */
const PROBE_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

/** The smithy request a handler is given (the fields used). */
interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** Headers fetch computes itself and refuses to be given. */
const UNSETTABLE = new Set(['host', 'content-length']);

/** RFC 3986 escaping, as the SDK's own fetch handler builds query strings (what the signature covers). */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryString(query: SmithyRequest['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === null || value === undefined) parts.push(escapeUri(key));
    else for (const one of Array.isArray(value) ? value : [value]) parts.push(`${escapeUri(key)}=${escapeUri(one)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** The response body as the SDK's Node stream collector and event-stream reader expect it. */
async function bodyOf(response: Response): Promise<unknown> {
  if (response.body === null) return new Uint8Array();
  try {
    const { Readable } = await loadModule<typeof import('node:stream')>('node:stream');
    return Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  } catch {
    return response.body;
  }
}

/**
 * A smithy request handler over `fetch`: what `requestHandler` takes. No
 * redirect is followed and every URL passes the endpoint policy (the
 * guarded fetch does both).
 */
export function fetchRequestHandler(fetch: FetchFunction) {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: SmithyRequest, options: { abortSignal?: AbortSignal } = {}) {
      const port = request.port ? `:${request.port}` : '';
      const url = `${request.protocol}//${request.hostname}${port}${request.path}${queryString(request.query)}`;
      const body =
        request.method === 'GET' || request.method === 'HEAD' ? undefined : (request.body as BodyInit | undefined);
      const headers = new Headers();
      // fetch sets Host and Content-Length itself (from the URL and the body; the same values the signature covers).
      for (const [name, value] of Object.entries(request.headers))
        if (!UNSETTABLE.has(name.toLowerCase())) headers.set(name, value);
      const response = await fetch(url, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body, duplex: 'half' }),
        ...(options.abortSignal ? { signal: options.abortSignal } : {}),
      } as RequestInit);
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      return {
        response: {
          statusCode: response.status,
          reason: response.statusText,
          headers: responseHeaders,
          body: await bodyOf(response),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
}

function endpointOf(input: ProviderCallInput, credential: BedrockCredential): string {
  return baseUrlOr(input, `https://bedrock-runtime.${credential.region}.amazonaws.com`);
}

function credentialOf(input: ProviderCallInput): BedrockCredential {
  return readCredential(bedrockCredential, LABEL, requireKey(input, LABEL));
}

async function buildAws(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<BedrockRuntimeClientConfig> = {},
): Promise<BedrockRuntimeClient> {
  const credential = credentialOf(input);
  const endpoint = endpointOf(input, credential);
  await transport.check(endpoint);
  const { BedrockRuntimeClient } = await loadSdk<typeof import('@aws-sdk/client-bedrock-runtime')>(
    '@aws-sdk/client-bedrock-runtime',
  );
  return new BedrockRuntimeClient({
    ...defaults,
    ...(input.clientOptions as BedrockRuntimeClientConfig | undefined),
    region: credential.region,
    endpoint,
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }),
    },
    // SigV4 with the keys above, never a bearer token from AWS_BEARER_TOKEN_BEDROCK.
    authSchemePreference: ['sigv4'],
    token: () => Promise.reject(new Error('byokit signs Bedrock requests with the tenant credential; no bearer token')),
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    // Last: every request through the guarded transport (a host `fetch` in clientOptions is already inside it).
    requestHandler: fetchRequestHandler(transport.fetch),
  } as BedrockRuntimeClientConfig);
}

async function buildAnthropic(
  input: ProviderCallInput,
  transport: Transport,
  defaults: Record<string, unknown> = {},
): Promise<AnthropicBedrock> {
  const credential = credentialOf(input);
  const endpoint = endpointOf(input, credential);
  const { AnthropicBedrock } = await loadSdk<typeof import('@anthropic-ai/bedrock-sdk')>('@anthropic-ai/bedrock-sdk');
  return new AnthropicBedrock({
    ...defaults,
    ...(input.clientOptions as Record<string, unknown> | undefined),
    // `null`: unset, the SDK reads AWS_BEARER_TOKEN_BEDROCK and sends it instead of signing.
    apiKey: null,
    awsAccessKey: credential.accessKeyId,
    awsSecretKey: credential.secretAccessKey,
    awsSessionToken: credential.sessionToken ?? null,
    awsRegion: credential.region,
    // Never the platform's credential chain.
    providerChainResolver: () => Promise.reject(new Error('byokit signs with the tenant credential only')),
    // Always explicit: unset, the SDK reads ANTHROPIC_BEDROCK_BASE_URL.
    baseURL: endpoint,
    defaultHeaders: withoutEnvHeaders('ANTHROPIC_CUSTOM_HEADERS', input.clientOptions?.defaultHeaders, [
      'x-byokit-no-key-header',
      '',
    ]),
    fetch: transport.fetch,
    // The constructor's overloads type one credential form each; this is the static-keys one.
  } as never);
}

function useAnthropic(input: ProviderCallInput): boolean {
  return stringOption(input.options, 'sdk') === 'anthropic';
}

/** Builds the client the config's `sdk` option names. */
export async function createBedrockClient(input: ProviderCallInput): Promise<BedrockRuntimeClient | AnthropicBedrock> {
  const transport = transportOf(input, 'bedrock');
  return useAnthropic(input) ? buildAnthropic(input, transport) : buildAws(input, transport);
}

/** AWS error names that mean the credential itself was refused. */
const REFUSED = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
]);

/** The AWS error type of an SDK error: its name (AWS SDK), or the `x-amzn-errortype` header (AnthropicBedrock). */
function awsErrorType(error: unknown): string | undefined {
  const e = error as { name?: unknown; headers?: unknown; $metadata?: unknown };
  const header =
    e?.headers instanceof Headers
      ? e.headers.get('x-amzn-errortype')
      : (e?.headers as Record<string, string> | undefined)?.['x-amzn-errortype'];
  if (typeof header === 'string') return header.split(':')[0];
  return typeof e?.name === 'string' && e.$metadata !== undefined ? e.name : undefined;
}

function statusOf(error: unknown): number | undefined {
  const e = error as { $metadata?: { httpStatusCode?: unknown }; status?: unknown };
  const status = e?.$metadata?.httpStatusCode ?? e?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The probe's answer: a 400 about the (deliberately empty) request means the
 * signature and keys were accepted; an access denial means the keys work but
 * may not call this model.
 */
function probeResult(error: unknown, model: string, named: boolean, key: string): KeyValidationResult {
  const type = awsErrorType(error);
  const httpStatus = statusOf(error);
  if (type !== undefined && REFUSED.has(type))
    return {
      status: 'invalid_key',
      ...(httpStatus ? { httpStatus } : {}),
      detail: `the provider refused the credential (${type})`,
    };
  if (type === 'AccessDeniedException' || type === 'ResourceNotFoundException') {
    return named
      ? {
          status: 'forbidden_model',
          ...(httpStatus ? { httpStatus } : {}),
          detail: `model "${model}" not found or not available to this credential (${type})`,
        }
      : { status: 'valid', detail: `the credential was accepted; it may not call the probe model (${type})` };
  }
  if (httpStatus === 400 || type === 'ValidationException') return { status: 'valid' };
  return classifyValidationError(
    httpStatus === undefined ? error : Object.assign(new Error(type ?? 'error'), { status: httpStatus, code: type }),
    key,
  );
}

/** A zero-token Converse (AWS SDK) or Messages call (AnthropicBedrock) with no messages. */
export function validateBedrockKey(input: ProviderCallInput): Promise<KeyValidationResult> {
  return guardedLiveCheck('bedrock', LABEL, input, async (transport) => {
    const key = requireKey(input, LABEL);
    const model = input.model ?? PROBE_MODEL;
    try {
      if (useAnthropic(input)) {
        const client = await buildAnthropic(input, transport, { maxRetries: 0, timeout: VALIDATION_TIMEOUT_MS });
        await client.messages.create({ model, max_tokens: 1, messages: [] });
      } else {
        const client = await buildAws(input, transport, { maxAttempts: 1 });
        const { ConverseCommand } = await loadSdk<typeof import('@aws-sdk/client-bedrock-runtime')>(
          '@aws-sdk/client-bedrock-runtime',
        );
        await client.send(new ConverseCommand({ modelId: model, messages: [], inferenceConfig: { maxTokens: 1 } }));
      }
      return { status: 'valid' };
    } catch (error) {
      if (awsErrorType(error) === undefined && statusOf(error) === undefined) throw error;
      return probeResult(error, model, input.model !== null, key);
    }
  });
}
