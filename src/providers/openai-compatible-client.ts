/**
 * The client and key check of an OpenAI-compatible API, loaded on first use
 * (`openai-compatible.ts` holds the descriptors' factory).
 *
 * @module
 */
import type { ClientOptions, OpenAI } from 'openai';
import type { Transport } from '../net/transport.js';
import { baseUrlOr, transportOf, VALIDATION_TIMEOUT_MS } from './call-input.js';
import { buildOpenAIClient, openAIValidationDefaults } from './openai-family.js';
import type { OpenAICompatibleCheck, OpenAICompatibleSpec } from './openai-compatible.js';
import type { KeyValidationResult, ProviderCallInput } from './types.js';
import { httpStatusOf } from './error-chain.js';
import { guardedLiveCheck } from './validate.js';

function build(
  spec: OpenAICompatibleSpec,
  input: ProviderCallInput,
  transport: Transport,
  defaults: Partial<ClientOptions> = {},
): Promise<OpenAI> {
  return buildOpenAIClient(input, spec.label, baseUrlOr(input, spec.defaultBaseUrl), transport, defaults);
}

async function runCheck(
  client: OpenAI,
  check: OpenAICompatibleCheck,
  model: string | null,
): Promise<KeyValidationResult> {
  if (check === 'models') {
    await client.models.list();
    return { status: 'valid' };
  }
  if ('get' in check) {
    await client.get(check.get);
    return { status: 'valid' };
  }
  try {
    await client.chat.completions.create({ model: model ?? check.probe, messages: [], max_tokens: 1 });
    return { status: 'valid' };
  } catch (error) {
    // The request was refused for its (deliberately empty) body, after the key was accepted.
    if (httpStatusOf(error) === 400) return { status: 'valid' };
    throw error;
  }
}

/** An `OpenAI` client pinned to the API's base URL (or the config's). */
export function createOpenAICompatibleClient(spec: OpenAICompatibleSpec, input: ProviderCallInput): Promise<OpenAI> {
  return build(spec, input, transportOf(input, spec.id));
}

/** The API's cheapest key check (`spec.check`). */
export function validateOpenAICompatibleKey(
  spec: OpenAICompatibleSpec,
  input: ProviderCallInput,
): Promise<KeyValidationResult> {
  return guardedLiveCheck(spec.id, spec.label, input, async (transport) =>
    runCheck(
      await build(spec, input, transport, openAIValidationDefaults(VALIDATION_TIMEOUT_MS)),
      spec.check,
      input.model,
    ),
  );
}
