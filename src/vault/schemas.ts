/**
 * Input schemas (zod). Exported so hosts can validate requests at their own
 * edge with exactly the rules the vault applies.
 *
 * @module
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { MAX_SCOPE_DEPTH, SCOPE_SEGMENT_PATTERN } from '../resolve/scope.js';
import { MAX_SECRET_BYTES } from '../crypto/envelope.js';

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A tenant id: 1-128 characters of letters, digits and `_ . : @ -`. */
export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'must be 1-128 characters of letters, digits and _ . : @ -');

/**
 * A scope path inside the tenant: `''` (the tenant itself), or up to 8
 * `/`-separated segments such as `'workspace-1/project-7'`.
 */
export const scopeSchema = z
  .string()
  .max(600)
  .refine(
    (s) => s === '' || (s.split('/').length <= MAX_SCOPE_DEPTH && s.split('/').every((seg) => SCOPE_SEGMENT_PATTERN.test(seg))),
    `must be "" or up to ${MAX_SCOPE_DEPTH} "/"-separated segments of letters, digits and _ . : @ -`,
  );

/** A provider id as registered (`openai`, `azure-openai`, ...). */
export const providerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lower-case provider id');

/** A config name: 1-100 characters, no control characters, no surrounding spaces. */
export const configNameSchema = z
  .string()
  .min(1)
  .max(100)
  .refine((s) => !CONTROL_CHARS.test(s) && s.trim() === s, 'must have no control characters or surrounding spaces')
  // `resolve({ config })` takes an id or a name: a name must never read as an id.
  .refine((s) => !/^cfg_[0-9A-Z]{26}$/.test(s), 'must not look like a config id');

/** An http(s) base URL with no credentials, query or fragment. */
export const baseUrlSchema = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.hash && !url.search;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials, query or fragment');

const modelSchema = z.string().min(1).max(200).refine((s) => !CONTROL_CHARS.test(s), 'must have no control characters');

/** Non-secret provider options (Azure deployment and API version, Google SDK choice, ...). */
export const configOptionsSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'option names are identifiers'), z.union([z.string().max(1000), z.number(), z.boolean()]))
  .refine((o) => Object.keys(o).length <= 32, 'at most 32 options');

/** Input of `createConfig`. Holds no key: keys are set with `setKey` (DESIGN rule 3). */
export const createConfigInputSchema = z
  .object({
    name: configNameSchema,
    provider: providerIdSchema,
    scope: scopeSchema.default(''),
    model: modelSchema.nullable().default(null),
    baseUrl: baseUrlSchema.nullable().default(null),
    /** Custom endpoints only: the providers whose requests this endpoint serves. */
    routes: z.array(providerIdSchema).max(32).default([]),
    options: configOptionsSchema.default({}),
    enabled: z.boolean().default(true),
    isDefault: z.boolean().default(false),
  })
  .strict();

/** Input of `updateConfig`: any subset of the config's non-secret fields. */
export const updateConfigInputSchema = z
  .object({
    name: configNameSchema,
    provider: providerIdSchema,
    scope: scopeSchema,
    model: modelSchema.nullable(),
    baseUrl: baseUrlSchema.nullable(),
    routes: z.array(providerIdSchema).max(32),
    options: configOptionsSchema,
  })
  .partial()
  .strict();

/** Options of `setKey`. */
export const setKeyOptionsSchema = z
  .object({
    /** When the key stops being used (it then shows as `expired` and falls through). */
    expiresAt: z.union([z.iso.datetime({ offset: true }), z.date()]).nullable().default(null),
  })
  .strict();

/** Options of `validateKey`. */
export const validateKeyOptionsSchema = z
  .object({
    /** Passed to the provider SDK's constructor (timeouts, fetch, headers). */
    clientOptions: z.record(z.string(), z.unknown()).optional(),
    /** Bound on the whole check, headers and bodies together (default 10 s, at most 2 minutes). */
    timeoutMs: z.number().int().min(1).max(120_000).optional(),
  })
  .strict();

/** The key itself: a non-empty string of at most 8 KiB. Its value never appears in an error. */
export const providerKeySchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .refine((s) => new TextEncoder().encode(s).length <= MAX_SECRET_BYTES, `must be at most ${MAX_SECRET_BYTES} bytes`);

/** The actor a tenant handle acts as. */
export const actorSchema = z.object({ id: z.string().min(1).max(200), role: z.string().min(1).max(100).optional() }).strict();

/** Input of `vault.as`. */
export const tenantHandleInputSchema = z.object({ tenantId: tenantIdSchema, actor: actorSchema }).strict();

/** Input of `vault.resolve`. */
export const resolveInputSchema = z
  .object({
    tenantId: tenantIdSchema,
    scope: scopeSchema.default(''),
    provider: providerIdSchema.optional(),
    /** A config id or name to use explicitly. */
    config: z.string().min(1).max(100).optional(),
  })
  .strict();

/** A config id as the vault generates them. */
export const configIdSchema = z.string().regex(/^cfg_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a config id');

/** Paging and filters of `listConfigs`. */
export const listConfigsInputSchema = z
  .object({
    scope: scopeSchema.optional(),
    provider: providerIdSchema.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

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
] as const;

/** Paging and filters of `listAudit`. */
export const listAuditInputSchema = z
  .object({
    configId: configIdSchema.optional(),
    type: z.enum(auditTypes).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(500).default(50),
  })
  .strict();

/**
 * Parses `input` with `schema`, or throws a {@link ValidationError} whose
 * issues name paths and rules, never input values.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ValidationError(`[byokit] [vault] invalid ${what}: ${summary}`, issues);
}
