/**
 * The `pools` section of the tenant's settings document and the inputs
 * that change it, as `zod/mini` schemas (built in `@__PURE__` calls, so a
 * bundle without key pools drops them).
 *
 * @module
 */
import * as z from 'zod/mini';
import { POOL_POLICIES } from '../resolve/types.js';
import { configIdSchema, providerIdSchema, scopeSchema } from '../vault/schemas.js';

/** Most policies one tenant may hold (one per scope and provider). */
export const MAX_POOL_POLICIES = 500;
/** Most member settings one policy may hold. */
export const MAX_POOL_MEMBERS = 64;

/** One config's place in a policy. */
export const poolMemberSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    configId: configIdSchema,
    priority: z.optional(z.int().check(z.minimum(0), z.maximum(1000))),
    weight: z.optional(z.int().check(z.minimum(0), z.maximum(1000))),
  }))();

/** Input of `admin.setPoolPolicy`: the policy of one (scope, provider). */
export const poolPolicyInputSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      scope: z._default(scopeSchema, ''),
      provider: providerIdSchema,
      policy: z.enum(POOL_POLICIES),
      members: z._default(z.array(poolMemberSchema).check(z.maxLength(MAX_POOL_MEMBERS)), []),
    })
    .check(
      z.refine((p) => new Set(p.members.map((m) => m.configId)).size === p.members.length, { message: 'members: a config is listed twice', path: ['members'] }),
    ))();

/** Input of `admin.removePoolPolicy`. */
export const poolKeyInputSchema = /* @__PURE__ */ (() => z.strictObject({ scope: z._default(scopeSchema, ''), provider: providerIdSchema }))();

/** The stored section: `{ policies: [...] }`, one policy per (scope, provider). */
export const poolsSectionSchema = /* @__PURE__ */ (() =>
  z.strictObject({ policies: z.array(poolPolicyInputSchema).check(z.maxLength(MAX_POOL_POLICIES)) }))();

/** Query of `admin.listPools`. */
export const listPoolsInputSchema = /* @__PURE__ */ (() => z.strictObject({ scope: z.optional(scopeSchema), provider: z.optional(providerIdSchema) }))();

/** Options of `keyPools(...)`. */
export const keyPoolsOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    factsTtlMs: z.optional(z.int().check(z.minimum(0), z.maximum(60_000))),
    backoffMs: z.optional(z.int().check(z.minimum(1), z.maximum(3_600_000))),
    maxCooldownMs: z.optional(z.int().check(z.minimum(1), z.maximum(86_400_000))),
    maxKeys: z.optional(z.int().check(z.minimum(1), z.maximum(1_000_000))),
    maxAttempts: z.optional(z.int().check(z.minimum(1), z.maximum(10))),
    timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(600_000))),
    onFailure: z.optional(z.enum(['fail', 'platform'])),
  }))();

/** Options of `vault.withKey`, per call. */
export const withKeyOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    maxAttempts: z.optional(z.int().check(z.minimum(1), z.maximum(10))),
    timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(600_000))),
    onFailure: z.optional(z.enum(['fail', 'platform'])),
    signal: z.optional(
      z.custom<AbortSignal>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as AbortSignal).aborted === 'boolean' &&
          typeof (v as AbortSignal).addEventListener === 'function' &&
          typeof (v as AbortSignal).removeEventListener === 'function',
        'must be an AbortSignal',
      ),
    ),
    expect: z.optional(z.string()),
    clientOptions: z.optional(z.record(z.string(), z.unknown())),
  }))();
