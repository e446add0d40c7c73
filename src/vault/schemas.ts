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
 * @module
 */
import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import { MAX_SCOPE_DEPTH, SCOPE_SEGMENT_PATTERN } from '../resolve/scope.js';
import { MAX_SECRET_BYTES } from '../crypto/envelope.js';
import { OUTCOME_STATUSES } from '../outcomes/types.js';

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** `''`, or up to 8 `/`-separated segments of letters, digits and `_ . : @ -`. */
function validScope(s: string): boolean {
  if (s === '') return true;
  const segments = s.split('/');
  return segments.length <= MAX_SCOPE_DEPTH && segments.every((seg) => SCOPE_SEGMENT_PATTERN.test(seg));
}

const TENANT_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;
const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** A workload route name: `chat`, `embeddings`, `vision`, `batch`, or the host's own. */
const ROUTE_NAME_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

/** A workload route name (`chat`, `embeddings`, `vision`, `batch`, or the host's own): lower-case letters, digits and `_ . : -`, up to 64. */
export const routeNameSchema = z.string().check(z.regex(ROUTE_NAME_PATTERN, 'must be 1-64 lower-case letters, digits and _ . : - (e.g. "chat", "embeddings")'));

/** A tenant id: 1-128 characters of letters, digits and `_ . : @ -`. */
export const tenantIdSchema = z.string().check(z.regex(TENANT_ID_PATTERN, 'must be 1-128 characters of letters, digits and _ . : @ -'));

/**
 * A scope path inside the tenant: `''` (the tenant itself), or up to 8
 * `/`-separated segments such as `'workspace-1/project-7'`.
 */
export const scopeSchema = z.string().check(
  z.maxLength(600),
  z.refine(
    validScope,
    `must be "" or up to ${MAX_SCOPE_DEPTH} "/"-separated segments of letters, digits and _ . : @ -`,
  ),
);

/** A provider id as registered (`openai`, `azure-openai`, ...). */
export const providerIdSchema = z.string().check(z.regex(PROVIDER_ID_PATTERN, 'must be a lower-case provider id'));

/** A config name: 1-100 characters, no control characters, no surrounding spaces. */
export const configNameSchema = z.string().check(
  z.minLength(1),
  z.maxLength(100),
  z.refine((s) => !CONTROL_CHARS.test(s) && s.trim() === s, 'must have no control characters or surrounding spaces'),
  // `resolve({ config })` takes an id or a name: a name must never read as an id.
  z.refine((s) => !/^cfg_[0-9A-Z]{26}$/.test(s), 'must not look like a config id'),
);

/** An http(s) base URL with no credentials, query or fragment. */
export const baseUrlSchema = z.string().check(
  z.maxLength(2048),
  z.refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.hash && !url.search;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials, query or fragment'),
);

/** A model name: 1-200 characters, no control characters. */
export const modelSchema = z.string().check(z.minLength(1), z.maxLength(200), z.refine((s) => !CONTROL_CHARS.test(s), 'must have no control characters'));

const routesSchema = z.array(providerIdSchema).check(z.maxLength(32));

/** Non-secret provider options (Azure deployment and API version, Google SDK choice, ...). */
export const configOptionsSchema = z
  .record(
    z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'option names are identifiers')),
    z.union([z.string().check(z.maxLength(1000)), z.number(), z.boolean()]),
  )
  .check(z.refine((o) => Object.keys(o).length <= 32, 'at most 32 options'));

/** Input of `createConfig`. Holds no key: keys are set with `setKey` (DESIGN rule 3). */
export const createConfigInputSchema = z.strictObject({
  name: configNameSchema,
  provider: providerIdSchema,
  scope: z._default(scopeSchema, ''),
  model: z._default(z.nullable(modelSchema), null),
  baseUrl: z._default(z.nullable(baseUrlSchema), null),
  /** Custom endpoints only: the providers whose requests this endpoint serves. */
  routes: z._default(routesSchema, () => []),
  options: z._default(configOptionsSchema, () => ({})),
  enabled: z._default(z.boolean(), true),
  isDefault: z._default(z.boolean(), false),
});

/** Input of `updateConfig`: any subset of the config's non-secret fields. */
export const updateConfigInputSchema = z.partial(
  z.strictObject({
    name: configNameSchema,
    provider: providerIdSchema,
    scope: scopeSchema,
    model: z.nullable(modelSchema),
    baseUrl: z.nullable(baseUrlSchema),
    routes: routesSchema,
    options: configOptionsSchema,
  }),
);

/** When a key stops being used: an ISO date-time with an offset, or a `Date`; `null` for never. */
const keyExpirySchema = z.nullable(z.union([z.iso.datetime({ offset: true }), z.date()]));

/** Options of `setKey`. */
export const setKeyOptionsSchema = z.strictObject({
  /** When the key stops being used (it then shows as `expired` and falls through). */
  expiresAt: z._default(keyExpirySchema, null),
});

/** Options of `validateKey`. */
export const validateKeyOptionsSchema = z.strictObject({
  /** Passed to the provider SDK's constructor (timeouts, fetch, headers). */
  clientOptions: z.optional(z.record(z.string(), z.unknown())),
  /** Bound on the whole check, headers and bodies together (default 10 s, at most 2 minutes). */
  timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(120_000))),
});

/** The key itself: a non-empty string of at most 8 KiB. Its value never appears in an error. */
export const providerKeySchema = z
  .string({ error: 'must be a string' })
  .check(
    z.minLength(1, 'must not be empty'),
    z.refine((s) => new TextEncoder().encode(s).length <= MAX_SECRET_BYTES, `must be at most ${MAX_SECRET_BYTES} bytes`),
  );

/** Most configs one `importConfigs` call takes. */
export const MAX_IMPORT_ITEMS = 10_000;

/**
 * One config of a bulk import: the fields of `createConfig`, and optionally
 * its key (`key`) and the key's expiry (`keyExpiresAt`).
 */
export const importConfigInputSchema = z.extend(createConfigInputSchema, {
  /** The provider key to store with the config. Its value never appears in an error. */
  /**
   * A key, or a structured credential (an object, checked against the
   * provider's schema later) for providers that declare one.
   */
  key: z.optional(
    z.unknown().check(
      z.refine(
        (v) => (typeof v === 'string' ? v.length > 0 && new TextEncoder().encode(v).length <= MAX_SECRET_BYTES : typeof v === 'object' && v !== null && !Array.isArray(v)),
        `must be a non-empty key of at most ${MAX_SECRET_BYTES} bytes, or a credential object`,
      ),
    ),
  ),
  /** When the key stops being used, as `setKey`'s `expiresAt`. */
  keyExpiresAt: z._default(keyExpirySchema, null),
});

/** Input of `importConfigs`: up to {@link MAX_IMPORT_ITEMS} configs. */
export const importConfigsInputSchema = z.array(importConfigInputSchema).check(z.maxLength(MAX_IMPORT_ITEMS));

/** The actor a tenant handle acts as. */
export const actorSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  role: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
});

/** Input of `vault.as`. */
export const tenantHandleInputSchema = z.strictObject({ tenantId: tenantIdSchema, actor: actorSchema });

/** Input of `vault.resolve`. */
export const resolveInputSchema = z.strictObject({
  tenantId: tenantIdSchema,
  scope: z._default(scopeSchema, ''),
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
});

/** What `resolveInputSchema` gives for a valid request. */
export type ResolveRequest = z.output<typeof resolveInputSchema>;

const RESOLVE_FIELDS = new Set(['tenantId', 'scope', 'provider', 'config', 'explain', 'route']);

/**
 * The resolve request, checked without zod when it is plainly valid (the
 * hot path: a plain object of the documented fields, each of the right
 * type and form), else `null`, and the caller parses with the schema, which
 * gives the same result for every input this accepts (a property test
 * holds the two together) and the issues for any other.
 */
export function plainResolveRequest(input: unknown): ResolveRequest | null {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return null;
  const fields = input as Record<string, unknown>;
  for (const key in fields) if (!RESOLVE_FIELDS.has(key) || fields[key] === undefined) return null;
  const { tenantId, scope = '', provider, config, explain, route } = fields;
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) return null;
  if (typeof scope !== 'string' || scope.length > 600 || !validScope(scope)) return null;
  const request: ResolveRequest = { tenantId, scope };
  if (provider !== undefined) {
    if (typeof provider !== 'string' || !PROVIDER_ID_PATTERN.test(provider)) return null;
    request.provider = provider;
  }
  if (config !== undefined) {
    if (typeof config !== 'string' || config.length < 1 || config.length > 100) return null;
    request.config = config;
  }
  if (explain !== undefined) {
    if (typeof explain !== 'boolean') return null;
    request.explain = explain;
  }
  if (route !== undefined) {
    if (typeof route !== 'string' || !ROUTE_NAME_PATTERN.test(route)) return null;
    request.route = route;
  }
  return request;
}

/** A config id as the vault generates them. */
export const configIdSchema = z.string().check(z.regex(/^cfg_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a config id'));

const pageLimitSchema = z._default(z.int().check(z.minimum(1), z.maximum(500)), 50);

/** Paging and filters of `listConfigs`. */
export const listConfigsInputSchema = z.strictObject({
  scope: z.optional(scopeSchema),
  provider: z.optional(providerIdSchema),
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: pageLimitSchema,
});

const auditTypes = [
  'config.created',
  'config.updated',
  'config.deleted',
  'config.default_changed',
  'key.set',
  'key.replaced',
  'key.removed',
  'key.enabled',
  'key.disabled',
  'key.validated',
  'key.rewrapped',
  'key.failing',
  'key.recovered',
  'access_key.created',
  'access_key.revoked',
  'entitlement.changed',
  'route.changed',
] as const;

/** Paging and filters of `listAudit`. */
export const listAuditInputSchema = z.strictObject({
  configId: z.optional(configIdSchema),
  type: z.optional(z.enum(auditTypes)),
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: pageLimitSchema,
});

const count = z.int().check(z.minimum(0));
const milliseconds = z.number().check(z.minimum(0));

/** The report of `vault.report(resolution, report)`: what a host's own call came to. No prompt, no completion. */
export const outcomeReportSchema = z.strictObject({
  status: z.enum(OUTCOME_STATUSES),
  latencyMs: milliseconds,
  model: z.optional(z.nullable(modelSchema)),
  httpStatus: z.optional(z.int().check(z.minimum(100), z.maximum(599))),
  providerCode: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a short identifier'))),
  retryAfter: z.optional(milliseconds),
  inputTokens: z.optional(count),
  outputTokens: z.optional(count),
  durationMs: z.optional(milliseconds),
  attempt: z.optional(z.int().check(z.minimum(1))),
  streamed: z.optional(z.boolean()),
  at: z.optional(z.union([z.iso.datetime({ offset: true }), z.date()])),
});

/** Options of `vault.revalidate`. */
export const revalidateOptionsSchema = z.strictObject({
  tenantIds: z.array(tenantIdSchema).check(z.minLength(1), z.maxLength(10_000)),
  olderThan: milliseconds,
  concurrency: z._default(z.int().check(z.minimum(1), z.maximum(32)), 4),
  timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(120_000))),
  signal: z.optional(z.custom<AbortSignal>((value) => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal, 'must be an AbortSignal')),
  onProgress: z.optional(z.custom<(progress: never) => void>((value) => typeof value === 'function', 'must be a function')),
  actor: z.optional(actorSchema),
});

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
      return issue.input === undefined ? 'required' : `must be ${issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const kind = KINDS[issue.origin];
      if (kind) return `must have at ${issue.code === 'too_small' ? 'least' : 'most'} ${bound} ${kind}${bound === 1 ? '' : 's'}`;
      const relation = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${relation} ${bound}`;
    }
    case 'invalid_format':
      return issue.format === 'datetime' ? 'must be an ISO 8601 date-time with a time zone offset' : `must be a valid ${issue.format}`;
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
 * issues name paths and rules, never input values.
 */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input, { error: describeIssue });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`[byokit] [vault] invalid ${what}: ${summary}`, issues);
}
