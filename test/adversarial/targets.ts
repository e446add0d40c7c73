/**
 * Every built-in provider as an attack target: a key in its format, where
 * its base URL points for a server at `url`, its options, and one ordinary
 * call through the client `createClient` builds. Uses only byokit's public
 * API, so the attack files run unchanged against older code.
 */
import type { Anthropic } from '@anthropic-ai/sdk';
import type { GoogleGenAI } from '@google/genai';
import type { GoogleGenerativeAI } from '@google/generative-ai';
import type { Mistral } from '@mistralai/mistralai';
import type { CohereClientV2 } from 'cohere-ai';
import type { Ollama } from 'ollama';
import type { OpenAI } from 'openai';
import { createVault, Keyring, MemoryStore } from '../../src/index.js';
import { canaryKey } from '../providers/leak.js';

export interface Target {
  /** Name in test titles. */
  name: string;
  provider: string;
  /** The createClient expectation (picks the Google SDK). */
  expect: string;
  key: string;
  baseUrl: (url: string) => string;
  options: Record<string, string>;
  /** SDK options that make one attempt only, so a test measures the attack, not retries. */
  clientOptions: Record<string, unknown>;
  call: (client: unknown) => Promise<unknown>;
  /**
   * Whether byokit can put its guarded fetch under this client. False only
   * for @google/generative-ai, which has no fetch option: byokit builds it
   * for Google's own endpoint only, so `createClient` refuses it for any
   * base URL these attacks use (`ENDPOINT_REFUSED`).
   */
  guardedClient: boolean;
}

const once = { maxRetries: 0 };

export const TARGETS: readonly Target[] = [
  {
    name: 'openai',
    provider: 'openai',
    expect: 'openai',
    key: canaryKey('sk-proj-'),
    baseUrl: (url) => `${url}/v1`,
    options: {},
    clientOptions: once,
    call: (client) => (client as OpenAI).models.list(),
    guardedClient: true,
  },
  {
    name: 'custom',
    provider: 'custom',
    expect: 'custom',
    key: canaryKey('gw-'),
    baseUrl: (url) => `${url}/v1`,
    options: {},
    clientOptions: once,
    call: (client) => (client as OpenAI).models.list(),
    guardedClient: true,
  },
  {
    name: 'azure-openai',
    provider: 'azure-openai',
    expect: 'azure-openai',
    key: canaryKey('', 40),
    baseUrl: (url) => url,
    options: { apiVersion: '2024-10-21' },
    clientOptions: once,
    call: (client) => (client as OpenAI).models.list(),
    guardedClient: true,
  },
  {
    name: 'anthropic',
    provider: 'anthropic',
    expect: 'anthropic',
    key: canaryKey('sk-ant-api03-'),
    baseUrl: (url) => url,
    options: {},
    clientOptions: once,
    call: (client) => (client as Anthropic).models.list({ limit: 1 }),
    guardedClient: true,
  },
  {
    name: 'google (@google/genai)',
    provider: 'google',
    expect: 'google-genai',
    key: canaryKey('AIza', 39),
    baseUrl: (url) => url,
    options: { sdk: 'genai' },
    clientOptions: { httpOptions: { retryOptions: { attempts: 1 } } },
    call: (client) => (client as GoogleGenAI).models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }),
    guardedClient: true,
  },
  {
    name: 'google (@google/generative-ai)',
    provider: 'google',
    expect: 'google',
    key: canaryKey('AIza', 39),
    baseUrl: (url) => url,
    options: {},
    clientOptions: {},
    call: (client) =>
      (client as GoogleGenerativeAI).getGenerativeModel({ model: 'gemini-2.0-flash' }).generateContent('hi'),
    guardedClient: false,
  },
  {
    name: 'mistral',
    provider: 'mistral',
    expect: 'mistral',
    key: canaryKey('', 32),
    baseUrl: (url) => url,
    options: {},
    clientOptions: { retryConfig: { strategy: 'none' } },
    call: (client) => (client as Mistral).models.list(),
    guardedClient: true,
  },
  {
    name: 'cohere',
    provider: 'cohere',
    expect: 'cohere',
    key: canaryKey('', 40),
    baseUrl: (url) => url,
    options: {},
    clientOptions: once,
    call: (client) => (client as CohereClientV2).models.list({ pageSize: 1 }),
    guardedClient: true,
  },
  {
    name: 'ollama',
    provider: 'ollama',
    expect: 'ollama',
    key: canaryKey('', 32),
    baseUrl: (url) => url,
    options: {},
    clientOptions: {},
    call: (client) => (client as Ollama).list(),
    guardedClient: true,
  },
];

/** One target per provider (validation does not depend on the Google SDK choice). */
export const PROVIDER_TARGETS: readonly Target[] = TARGETS.filter((target) => target.expect !== 'google');

/** Every text of an error and its cause chain. */
export function errorTexts(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    const { name, message, code } = current as { name?: unknown; message?: unknown; code?: unknown };
    parts.push(String(name), String(message), String(code));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(' | ');
}

/**
 * A vault whose tenant `acme` stored `target`'s key for the server at
 * `serverUrl`. The attack servers listen on 127.0.0.1: the vault allows
 * exactly that address, nothing else internal.
 */
export async function tenantKeyFor(target: Target, serverUrl: string) {
  const vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate('k1'),
    allowPrivateEndpoints: ['127.0.0.1'],
  });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'owner', role: 'owner' } });
  const config = await admin.createConfig({
    name: 'c',
    provider: target.provider,
    baseUrl: target.baseUrl(serverUrl),
    options: target.options,
  });
  await admin.setKey(config.id, target.key);
  return { vault, admin, config };
}
