/**
 * The `pools` section of the tenant's settings document and the inputs
 * that change it, as `zod/mini` schemas (built in `@__PURE__` calls, so a
 * bundle without key pools drops them).
 *
 * @module
 */
import * as z from 'zod/mini';
import { POOL_POLICIES } from '../resolve/types.js';
import { WITH_KEY_ON_FAILURE } from './on-failure.js';
import { configIdSchema, providerIdSchema, scopeSchema } from '../vault/schemas.js';

/** Most policies one tenant may hold (one per scope and provider). */
export const MAX_POOL_POLICIES = 500;
/** Most member settings one policy may hold. */
export const MAX_POOL_MEMBERS = 64;

/** One config's place in a policy. */
export const poolMemberSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** A config of the policy's scope and provider. */
    configId: configIdSchema,
    /** 0..1000, lower first (failover); configs without one come after those with one, in resolution order. */
    priority: z.optional(z.int().check(z.minimum(0), z.maximum(1000))),
    /** 0..1000, its share of the turns (weighted; default 1); 0: never picked in turn, only failed over to. */
    weight: z.optional(z.int().check(z.minimum(0), z.maximum(1000))),
  }))();

/** Input of `admin.setPoolPolicy`: the policy of one (scope, provider). */
export const poolPolicyInputSchema = /* @__PURE__ */ (() =>
  z
    .strictObject({
      /** The scope whose configs form the pool (default `''`: the tenant). */
      scope: z._default(scopeSchema, ''),
      /** The provider id of the pool's configs. */
      provider: providerIdSchema,
      /** `default`, `failover`, `round-robin` or `weighted` (see {@link POOL_POLICIES}). */
      policy: z.enum(POOL_POLICIES),
      /** Priorities and weights, at most 64, each config once (default none: resolution order, weight 1). */
      members: z._default(z.array(poolMemberSchema).check(z.maxLength(MAX_POOL_MEMBERS)), []),
    })
    .check(
      z.refine((p) => new Set(p.members.map((m) => m.configId)).size === p.members.length, {
        message: 'members: a config is listed twice',
        path: ['members'],
      }),
    ))();

/** Input of `admin.removePoolPolicy`. */
export const poolKeyInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The pool's scope (default `''`: the tenant). */
    scope: z._default(scopeSchema, ''),
    /** The pool's provider id. */
    provider: providerIdSchema,
  }))();

/** The stored section: `{ policies: [...] }`, one policy per (scope, provider). */
export const poolsSectionSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** At most 500, one per (scope, provider); a pool without one is failover in resolution order. */
    policies: z.array(poolPolicyInputSchema).check(z.maxLength(MAX_POOL_POLICIES)),
  }))();

/** Query of `admin.listPools`. */
export const listPoolsInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Only the pools of exactly this scope. */
    scope: z.optional(scopeSchema),
    /** Only the pools of this provider. */
    provider: z.optional(providerIdSchema),
  }))();

/** Options of `keyPools(...)`. */
export const keyPoolsOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** How long a pool's facts read from the store are reused, in ms (0..60 000; default 1 000). */
    factsTtlMs: z.optional(z.int().check(z.minimum(0), z.maximum(60_000))),
    /** First cooldown after a 429 that names no wait, in ms (1..3 600 000; default 1 000); doubles with each 429 in a row. */
    backoffMs: z.optional(z.int().check(z.minimum(1), z.maximum(3_600_000))),
    /** Longest cooldown, in ms, whatever the provider asks (1..86 400 000; default 3 600 000). */
    maxCooldownMs: z.optional(z.int().check(z.minimum(1), z.maximum(86_400_000))),
    /** Keys and pools held in memory at most (1..1 000 000; default 10 000 each). */
    maxKeys: z.optional(z.int().check(z.minimum(1), z.maximum(1_000_000))),
    /** Default of `withKey`'s `maxAttempts` (1..10; default 3). */
    maxAttempts: z.optional(z.int().check(z.minimum(1), z.maximum(10))),
    /** Default of `withKey`'s `timeoutMs`, in ms (1..600 000; default 60 000). */
    timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(600_000))),
    /** Default of `withKey`'s `onFailure` (default `'fail'`). */
    onFailure: z.optional(z.enum(WITH_KEY_ON_FAILURE)),
  }))();

/** Options of `vault.withKey`, per call. */
export const withKeyOptionsSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Calls at most, the first included (1..10; default: `keyPools({ maxAttempts })`, else 3). */
    maxAttempts: z.optional(z.int().check(z.minimum(1), z.maximum(10))),
    /** Total ms for every attempt (1..600 000; default: `keyPools({ timeoutMs })`, else 60 000); no move starts after it. */
    timeoutMs: z.optional(z.int().check(z.minimum(1), z.maximum(600_000))),
    /** `'platform'`: when every key of the pool failed, one more call with the platform key. Default `'fail'` (the last error is thrown). */
    onFailure: z.optional(z.enum(WITH_KEY_ON_FAILURE)),
    /** Stops the calls: no further attempt starts, and the attempt's signal aborts. */
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
    /** As `createClient`'s `expect`: the client type the call needs. */
    expect: z.optional(z.string()),
    /** Passed to the SDK constructor, over byokit's "no retries" setting. */
    clientOptions: z.optional(z.record(z.string(), z.unknown())),
  }))();
