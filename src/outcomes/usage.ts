/**
 * Token usage and the answering model, read out of response text without
 * parsing (or keeping) the content around them: the text is searched for
 * the usage object by its key and only that object is parsed.
 *
 * Field names per API (checked against each SDK's types):
 * - OpenAI chat, Azure, OpenAI-compatible, Mistral: `usage.prompt_tokens` /
 *   `completion_tokens`; streams: the final chunk's `usage`, which OpenAI
 *   sends only with `stream_options: { include_usage: true }`.
 * - OpenAI Responses API and Anthropic: `usage.input_tokens` /
 *   `output_tokens`; Anthropic's cache reads and writes
 *   (`cache_read_input_tokens`, `cache_creation_input_tokens`) count as
 *   input; streams: `message_start`'s `message.usage`, then each
 *   `message_delta`'s cumulative `usage`, and `response.completed`'s
 *   `response.usage`.
 * - Gemini: `usageMetadata.promptTokenCount` / `candidatesTokenCount`
 *   (plus `thoughtsTokenCount`, billed as output); streams: every chunk's
 *   `usageMetadata`, the last one final.
 * - Cohere v2: `usage.billed_units` (what Cohere bills), else
 *   `usage.tokens`; streams: the `message-end` event's `delta.usage`.
 * - Ollama: `prompt_eval_count` / `eval_count`; streams: the last NDJSON line.
 *
 * @module
 */

/** What a response said about itself. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
  model?: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const tokens = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/** The sum of the counts that are present; `undefined` when none is. */
function sum(...values: unknown[]): number | undefined {
  let total: number | undefined;
  for (const value of values) {
    const n = tokens(value);
    if (n !== undefined) total = (total ?? 0) + n;
  }
  return total;
}

/** Input and output counts of one usage object, whatever API it comes from. */
export function countsOf(usage: Json): Pick<Usage, 'inputTokens' | 'outputTokens'> {
  const units = isObject(usage.billed_units) ? usage.billed_units : isObject(usage.tokens) ? usage.tokens : undefined;
  if (units) return { inputTokens: tokens(units.input_tokens), outputTokens: tokens(units.output_tokens) };
  if ('promptTokenCount' in usage || 'candidatesTokenCount' in usage) {
    return {
      inputTokens: tokens(usage.promptTokenCount),
      outputTokens: sum(usage.candidatesTokenCount, usage.thoughtsTokenCount),
    };
  }
  return {
    inputTokens:
      tokens(usage.prompt_tokens) ??
      sum(usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens),
    outputTokens: tokens(usage.completion_tokens) ?? tokens(usage.output_tokens),
  };
}

/** The JSON object text that starts at `start` (a `{`), by bracket matching outside strings; `undefined` if it does not end in `text`. */
function objectAt(text: string, start: number): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** Where a usage object starts, by key. */
const OBJECT_KEYS = { usage: /"usage"\s*:\s*\{/g, usageMetadata: /"usageMetadata"\s*:\s*\{/g };

/** The last object value of `"key"` in `text` that parses, if any. A key inside a JSON string is escaped (`\"key\"`), so it never matches. */
function lastObjectOf(text: string, key: keyof typeof OBJECT_KEYS): Json | undefined {
  const pattern = OBJECT_KEYS[key];
  pattern.lastIndex = 0;
  const starts: number[] = [];
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text))
    starts.push(match.index + match[0].length - 1);
  for (let i = starts.length - 1; i >= 0; i--) {
    const body = objectAt(text, starts[i]!);
    if (body === undefined) continue;
    try {
      const parsed: unknown = JSON.parse(body);
      if (isObject(parsed)) return parsed;
    } catch {
      // Not JSON after all (a truncated window): try an earlier one.
    }
  }
  return undefined;
}

const NUMBER_KEYS = {
  prompt_eval_count: /"prompt_eval_count"\s*:\s*(\d{1,12})(?![\d.eE])/g,
  eval_count: /"eval_count"\s*:\s*(\d{1,12})(?![\d.eE])/g,
};

function lastNumberOf(text: string, key: keyof typeof NUMBER_KEYS): number | undefined {
  const matches = text.match(NUMBER_KEYS[key]);
  const last = matches?.at(-1);
  return last === undefined ? undefined : tokens(Number(last.slice(last.lastIndexOf(':') + 1)));
}

/**
 * Adds what `text` (a whole body, its tail, or one stream event) says
 * about usage to `into`: a count present here replaces the one held, so
 * the last event of a stream wins field by field.
 */
export function readUsage(text: string, into: Usage): void {
  const usage = lastObjectOf(text, 'usage') ?? lastObjectOf(text, 'usageMetadata');
  const counts = usage
    ? countsOf(usage)
    : { inputTokens: lastNumberOf(text, 'prompt_eval_count'), outputTokens: lastNumberOf(text, 'eval_count') };
  if (counts.inputTokens !== undefined) into.inputTokens = counts.inputTokens;
  if (counts.outputTokens !== undefined) into.outputTokens = counts.outputTokens;
}

/** What a model id may look like to be reported: a short identifier, never free text. */
export const MODEL_ID = /^[A-Za-z0-9][\w.:/@+-]{0,127}$/;

/** The first `"model"` (or Gemini's `"modelVersion"`) string value in `text` that looks like a model id. */
export function readModel(text: string): string | undefined {
  const match = /"(?:model|modelVersion)"\s*:\s*"([^"\\]{1,128})"/.exec(text);
  return match && MODEL_ID.test(match[1]!) ? match[1] : undefined;
}

/** A text holds something {@link readUsage} looks for (a cheap test before searching a stream event). */
export function mentionsUsage(text: string): boolean {
  return text.includes('"usage') || text.includes('eval_count"');
}
