/**
 * Input schemas, written with `zod/mini`: the same zod package, with a
 * functional API that bundlers can tree-shake (the classic API keeps every
 * method and every locale reachable, about 100 kB gzipped in a host's
 * bundle). Exported so hosts can validate requests at their own edge with
 * exactly the rules the vault applies: `schema.safeParse(input)`,
 * `schema.parse(input)` and `z.infer<typeof schema>` work as with any zod
 * schema; to derive a schema, use the functions of `zod/mini`
 * (`z.extend(createConfigInputSchema, { ... })`, `z.pick(...)`), since
 * mini schemas have no `.extend()` / `.pick()` methods.
 *
 * Every schema is built inside a `@__PURE__` function call: a bundler drops
 * the ones a host doesn't use (a plain `z.string().check(...)` at the top
 * level counts as a side effect and would keep all of zod in every bundle
 * that shares a chunk with this module).
 *
 * @module
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import { MAX_SCOPE_DEPTH } from '../resolve/scope.js';
import {
  PROVIDER_ID_PATTERN,
  ROUTE_NAME_PATTERN,
  TENANT_ID_PATTERN,
  TENANT_ID_RULE,
  validScope,
} from './plain-input.js';
import { MAX_SECRET_BYTES } from '../crypto/envelope.js';
import { OUTCOME_STATUSES } from '../outcomes/types.js';
import { AUDIT_EVENT_TYPES } from '../store/types.js';
import { byokitMessage } from '../message.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A workload route name (`chat`, `embeddings`, `vision`, `batch`, or the host's own): lower-case letters, digits and `_ . : -`, up to 64. */
export const routeNameSchema = /* @__PURE__ */ (() =>
  z
    .string()
    .check(
      z.regex(ROUTE_NAME_PATTERN, 'must be 1-64 lower-case letters, digits and _ . : - (e.g. "chat", "embeddings")'),
    ))();

/** A tenant id: 1-128 characters of letters, digits and `_ . : @ -`. */
export const tenantIdSchema = /* @__PURE__ */ (() => z.string().check(z.regex(TENANT_ID_PATTERN, TENANT_ID_RULE)))();

/**
 * A scope path inside the tenant: `''` (the tenant itself), or up to 8
 * `/`-separated segments such as `'workspace-1/project-7'`.
 */
export const scopeSchema = /* @__PURE__ */ (() =>
  z
    .string()
    .check(
      z.maxLength(600),
      z.refine(
        validScope,
        `must be "" or up to ${MAX_SCOPE_DEPTH} "/"-separated segments of letters, digits and _ . : @ -`,
      ),
    ))();

/** A provider id as registered (`openai`, `azure-openai`, ...). */
export const providerIdSchema = /* @__PURE__ */ (() =>
  z.string().check(z.regex(PROVIDER_ID_PATTERN, 'must be a lower-case provider id')))();

/** A config name: 1-100 characters, no control characters, no surrounding spaces. */
export const configNameSchema = /* @__PURE__ */ (() =>
  z.string().check(
    z.minLength(1),
    z.maxLength(100),
    z.refine((s) => !CONTROL_CHARS.test(s) && s.trim() === s, 'must have no control characters or surrounding spaces'),
    // `resolve({ config })` takes an id or a name: a name must never read as an id.
    z.refine((s) => !/^cfg_[0-9A-Z]{26}$/.test(s), 'must not look like a config id'),
  ))();

/** An http(s) base URL with no credentials, query or fragment. */
export const baseUrlSchema = /* @__PURE__ */ (() =>
  z.string().check(
    z.maxLength(2048),
    z.refine((text) => {
      try {
        const url = new URL(text);
        return (
          (url.protocol === 'https:' || url.protocol === 'http:') &&
          !url.username &&
          !url.password &&
          !url.hash &&
          !url.search
        );
      } catch {
        return false;
      }
    }, 'must be an http(s) URL without credentials, query or fragment'),
  ))();

/** A model name: 1-200 characters, no control characters. */
export const modelSchema = /* @__PURE__ */ (() =>
  z.string().check(
    z.minLength(1),
    z.maxLength(200),
    z.refine((s) => !CONTROL_CHARS.test(s), 'must have no control characters'),
  ))();

const routesSchema = /* @__PURE__ */ (() => z.array(providerIdSchema).check(z.maxLength(32)))();

/** Non-secret provider options (Azure deployment and API version, Google SDK choice, ...). */
export const configOptionsSchema = /* @__PURE__ */ (() =>
  z
    .record(
      z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'option names are identifiers')),
      z.union([z.string().check(z.maxLength(1000)), z.number(), z.boolean()]),
    )
    .check(z.refine((o) => Object.keys(o).length <= 32, 'at most 32 options')))();

/** Input of `createConfig`. Holds no key: keys are set with `setKey` (docs/architecture.md, rule 3). */
export const createConfigInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Unique within the tenant. */
    name: configNameSchema,
    /** A registered provider id (`openai`, `anthropic`, ..., `custom`). */
    provider: providerIdSchema,
    /** The scope it lives in (default `''`: the tenant). */
    scope: z._default(scopeSchema, ''),
    /** The model resolutions carry (default `null`). */
    model: z._default(z.nullable(modelSchema), null),
    /** Where the key is sent (default `null`: the provider's endpoint); required for `custom`. */
    baseUrl: z._default(z.nullable(baseUrlSchema), null),
    /** Custom endpoints only: the providers whose requests this endpoint serves. */
    routes: z._default(routesSchema, () => []),
    /** Non-secret provider options (default `{}`). */
    options: z._default(configOptionsSchema, () => ({})),
    /** Whether it can be resolved (default `true`). */
    enabled: z._default(z.boolean(), true),
    /** Make it its scope's default (default `false`); clears any other. */
    isDefault: z._default(z.boolean(), false),
  }))();

/** Input of `updateConfig`: any subset of the config's non-secret fields. */
export const updateConfigInputSchema = /* @__PURE__ */ (() =>
  z.partial(
    z.strictObject({
      /** A new name, unique within the tenant. */
      name: configNameSchema,
      /** Another provider (a key-management action: it decides where the key goes). */
      provider: providerIdSchema,
      /** Move it to another scope. */
      scope: scopeSchema,
      /** Another model, or `null`. */
      model: z.nullable(modelSchema),
      /** Another endpoint, or `null` (a key-management action). */
      baseUrl: z.nullable(baseUrlSchema),
      /** Custom endpoints: the providers it serves. */
      routes: routesSchema,
      /** Replaces the provider options. */
      options: configOptionsSchema,
    }),
  ))();

/** When a key stops being used: an ISO date-time with an offset, or a `Date`; `null` for never. */
const keyExpirySchema = /* @__PURE__ */ (() => z.nullable(z.union([z.iso.datetime({ offset: true }), z.date()])))();

/** Options of `setKey`. */
export const setKeyOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** When the key stops being used (it then shows as `expired` and falls through). */
    expiresAt: z._default(keyExpirySchema, null),
    /** Store the key as pending beside the active one (staged rotation); `promoteKey` makes it active. */
    stage: z._default(z.boolean(), false),
  }))();

/** Options of `promoteKey`. */
export const promoteKeyOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** How long the replaced key stays available to `rollbackKey`; default the vault's `previousKeyGracePeriodMs`. */
    gracePeriodMs: z.optional(z.int().check(z.minimum(0), z.maximum(366 * 24 * 3600_000))),
  }))();

/** Options of `validateKey`. */
export const validateKeyOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Passed to the provider SDK's constructor (timeouts, fetch, headers). */
    clientOptions: z.optional(z.record(z.string(), z.unknown())),
    /** Bound on the whole check, headers and bodies together (default 10 s, at most 2 minutes). */
    timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(120_000))),
    /** Check the pending key of a staged rotation instead of the active one. */
    pending: z._default(z.boolean(), false),
  }))();

/** The key itself: a non-empty string of at most 8 KiB. Its value never appears in an error. */
export const providerKeySchema = /* @__PURE__ */ (() =>
  z.string({ error: 'must be a string' }).check(
    z.minLength(1, 'must not be empty'),
    z.refine(
      (s) => new TextEncoder().encode(s).length <= MAX_SECRET_BYTES,
      `must be at most ${MAX_SECRET_BYTES} bytes`,
    ),
  ))();

/** Most configs one `importConfigs` call takes. */
export const MAX_IMPORT_ITEMS = 10_000;

/**
 * One config of a bulk import: the fields of `createConfig`, and optionally
 * its key (`key`) and the key's expiry (`keyExpiresAt`).
 */
export const importConfigInputSchema = /* @__PURE__ */ (() =>
  z.extend(createConfigInputSchema, {
    /**
     * The provider key to store with the config, or a structured credential
     * (an object, checked against the provider's schema later) for providers
     * that declare one. Its value never appears in an error.
     */
    key: z.optional(
      z
        .unknown()
        .check(
          z.refine(
            (v) =>
              typeof v === 'string'
                ? v.length > 0 && new TextEncoder().encode(v).length <= MAX_SECRET_BYTES
                : typeof v === 'object' && v !== null && !Array.isArray(v),
            `must be a non-empty key of at most ${MAX_SECRET_BYTES} bytes, or a credential object`,
          ),
        ),
    ),
    /** When the key stops being used, as `setKey`'s `expiresAt`. */
    keyExpiresAt: z._default(keyExpirySchema, null),
  }))();

/** Input of `importConfigs`: up to `MAX_IMPORT_ITEMS` (10,000) configs. */
export const importConfigsInputSchema = /* @__PURE__ */ (() =>
  z.array(importConfigInputSchema).check(z.maxLength(MAX_IMPORT_ITEMS)))();

/** The actor a tenant handle acts as. */
export const actorSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The host's id of the user or service. */
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    /** The host's role name, for the permission policy. */
    role: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  }))();

/** Input of `vault.as`. */
export const tenantHandleInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The tenant the handle acts in. */
    tenantId: tenantIdSchema,
    /** Who acts: recorded in every audit event. */
    actor: actorSchema,
  }))();

/** Input of `vault.resolve`. */
export const resolveInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The tenant to resolve for. */
    tenantId: tenantIdSchema,
    /** Where to start (default `''`: the tenant); parents are searched up to the tenant. */
    scope: z._default(scopeSchema, ''),
    /** The provider wanted; absent, the scope's default config applies. */
    provider: z.optional(providerIdSchema),
    /** A config id or name to use explicitly. */
    config: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    /**
     * Read every config of the scope chain, not only the ones that can win,
     * so the trace also names each config passed over and why (disabled, no
     * key, expired). For debugging and admin screens: it costs a full read.
     */
    explain: z.optional(z.boolean()),
    /**
     * A workload route (`chat`, `embeddings`, ...): the config the tenant
     * routed it to in the scope chain (`admin.setRoute`), else what the
     * request resolves to without it. Needs the vault option `routes`.
     */
    route: z.optional(routeNameSchema),
  }))();

/** What `resolveInputSchema` gives for a valid request. */
export type ResolveRequest = z.output<typeof resolveInputSchema>;

/** A config id as the vault generates them. */
export const configIdSchema = /* @__PURE__ */ (() =>
  z.string().check(z.regex(/^cfg_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a config id')))();

const pageLimitSchema = /* @__PURE__ */ (() => z._default(z.int().check(z.minimum(1), z.maximum(500)), 50))();

/** Paging and filters of `listConfigs`. */
export const listConfigsInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Only configs in exactly this scope. */
    scope: z.optional(scopeSchema),
    /** Only configs of this provider. */
    provider: z.optional(providerIdSchema),
    /** Opaque cursor from a previous page. */
    cursor: z.optional(z.string().check(z.maxLength(200))),
    /** Page size, 1..500 (default 50). */
    limit: pageLimitSchema,
  }))();

/** Paging and filters of `listAudit`. */
export const listAuditInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Only events of this config. */
    configId: z.optional(configIdSchema),
    /** Only events of this type. */
    type: z.optional(z.enum(AUDIT_EVENT_TYPES)),
    /** Opaque cursor from a previous page. */
    cursor: z.optional(z.string().check(z.maxLength(200))),
    /** Page size, 1..500 (default 50). */
    limit: pageLimitSchema,
  }))();

const count = /* @__PURE__ */ (() => z.int().check(z.minimum(0)))();
const milliseconds = /* @__PURE__ */ (() => z.number().check(z.minimum(0)))();

/** The report of `vault.report(resolution, report)`: what a host's own call came to. No prompt, no completion. */
export const outcomeReportSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** How the call went (`ok`, `auth_failed`, `rate_limited`, ...). */
    status: z.enum(OUTCOME_STATUSES),
    /** Milliseconds to the response's headers. */
    latencyMs: milliseconds,
    /** The model that answered, if known. */
    model: z.optional(z.nullable(modelSchema)),
    /** The HTTP status, when a response arrived. */
    httpStatus: z.optional(z.int().check(z.minimum(100), z.maximum(599))),
    /** The provider's error code, a short identifier. */
    providerCode: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a short identifier'))),
    /** Seconds the provider asked to wait. */
    retryAfter: z.optional(milliseconds),
    /** Input tokens as the provider counted them. */
    inputTokens: z.optional(count),
    /** Output tokens as the provider counted them. */
    outputTokens: z.optional(count),
    /** Milliseconds to the end of the response body. */
    durationMs: z.optional(milliseconds),
    /** 1 for the first attempt, 2 for the first retry, ... */
    attempt: z.optional(z.int().check(z.minimum(1))),
    /** The response was a stream. */
    streamed: z.optional(z.boolean()),
    /** When the call finished (default: when the vault hears of it). */
    at: z.optional(z.union([z.iso.datetime({ offset: true }), z.date()])),
  }))();

/** Options of `vault.revalidate`. */
export const revalidateOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The tenants whose keys are checked (1 to 10,000). */
    tenantIds: z.array(tenantIdSchema).check(z.minLength(1), z.maxLength(10_000)),
    /** Checks keys whose last validation attempt is older than this many milliseconds (or never made). */
    olderThan: milliseconds,
    /** Checks at a time (1 to 32, default 4). */
    concurrency: z._default(z.int().check(z.minimum(1), z.maximum(32)), 4),
    /** Bound on each check, as `validateKey`'s `timeoutMs`. */
    timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(120_000))),
    /** Stops the run between checks. */
    signal: z.optional(
      z.custom<AbortSignal>(
        (value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
        'must be an AbortSignal',
      ),
    ),
    /** Called after each check with the counts so far. */
    onProgress: z.optional(
      z.custom<(progress: never) => void>((value) => typeof value === 'function', 'must be a function'),
    ),
    /** Who the audit events name (default `{ id: 'byokit:revalidate' }`). */
    actor: z.optional(actorSchema),
  }))();

/** Options of `vault.rotate`. */
export const rotateOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Stops the run after the batch in flight. */
    signal: z.optional(
      z.custom<AbortSignal>(
        (value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
        'must be an AbortSignal',
      ),
    ),
    /** Sealed keys read and re-wrapped per store round trip (1 to 1,000, default 500). */
    batchSize: z._default(z.int().check(z.minimum(1), z.maximum(1000)), 500),
    /** Called after each batch with done, total, rate and failures. */
    onProgress: z.optional(
      z.custom<(progress: never) => void>((value) => typeof value === 'function', 'must be a function'),
    ),
    /** Who the audit events name. */
    actor: z.optional(actorSchema),
  }))();

/** What zod reports about one failed rule; the fields {@link describeIssue} reads. */
type RawIssue = z.core.$ZodRawIssue;

const KINDS: Readonly<Record<string, string>> = { string: 'character', array: 'item', set: 'item', file: 'byte' };

/**
 * An English message for a rule that has none of its own, naming the rule
 * and never the input. Passed to every parse, so the vault's messages don't
 * depend on which zod locale (if any) the host loaded: `zod/mini` loads none.
 */
function describeIssue(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'required'
        : `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const kind = KINDS[issue.origin];
      if (kind)
        return `must have at ${issue.code === 'too_small' ? 'least' : 'most'} ${bound} ${kind}${bound === 1 ? '' : 's'}`;
      const relation = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${relation} ${bound}`;
    }
    case 'invalid_format':
      return issue.format === 'datetime'
        ? 'must be an ISO 8601 date-time with a time zone offset'
        : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_union':
      return 'matches none of the allowed types';
    case 'unrecognized_keys':
      return `unknown field(s): ${issue.keys.join(', ')}`;
    default:
      return 'is invalid';
  }
}

/**
 * Parses `input` with `schema`, or throws a {@link ValidationError} whose
 * issues name paths and rules, never input values: what the vault does with
 * every input, for hosts that check requests at their own edge with the
 * exported schemas and want the same errors (`VALIDATION_FAILED`, the same
 * messages) as the vault gives.
 *
 * @param what - names the input in the message (`invalid ${what}: ...`).
 * @example
 * ```ts
 * const input = parseInput(createConfigInputSchema, req.body, 'config');
 * // a bad body throws: "[byokit] [vault] invalid config: name: must have at least 1 character"
 * ```
 */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  let result: ReturnType<S['safeParse']>;
  try {
    result = schema.safeParse(input, { error: describeIssue }) as ReturnType<S['safeParse']>;
  } catch {
    // zod runs a length check on any value with a `length`, even after its type check failed, and
    // `{ length: Object.create(null) }` then throws a TypeError: still bad input, never an untyped error.
    throw new ValidationError(byokitMessage('vault', `invalid ${what}: (input): is invalid`), [
      { path: '(input)', message: 'is invalid' },
    ]);
  }
  if (result.success) return result.data as z.output<S>;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(byokitMessage('vault', `invalid ${what}: ${summary}`), issues);
}
