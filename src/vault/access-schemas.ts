/**
 * Input schemas of access keys and usage (`zod/mini`, like the others):
 * exported so a host's HTTP layer can check requests with the vault's rules.
 *
 * Each is built inside a `@__PURE__` call, so a bundle that never uses
 * access keys drops them (a schema built at module level would stay in
 * every bundle of the root entry: bundlers can't tell a zod call is pure).
 *
 * @module
 */
import * as z from 'zod/mini';
import { QUOTA_WINDOWS } from '../store/access-key-storage.js';
import { configNameSchema, modelSchema, providerIdSchema, scopeSchema, tenantIdSchema } from './schemas.js';

const quotaLimit = () =>
  z.strictObject({
    /** How many per window (requests, or tokens). */
    limit: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
    /** The window, aligned to UTC: a minute, an hour, a day, a calendar month. */
    per: z.enum(QUOTA_WINDOWS),
  });
const pageLimit = () => z._default(z.int().check(z.minimum(1), z.maximum(500)), 50);
const cursor = () => z.optional(z.string().check(z.maxLength(200)));
const idSchema = () => z.string().check(z.regex(/^ak_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an access key id'));
const period = () => z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a UTC day, YYYY-MM-DD')));

/** An access key id as the vault generates them (`ak_` + 26 Crockford base32 characters). */
export const accessKeyIdSchema = /* @__PURE__ */ idSchema();

/** Input of `createAccessKey`. */
export const createAccessKeyInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** A name for people (`mobile app`), unique or not. */
    name: configNameSchema,
    /** The scope its resolutions start from (default: the tenant). */
    scope: z._default(scopeSchema, ''),
    /** Providers it may resolve (`null` or absent: any). */
    providers: z._default(z.nullable(z.array(providerIdSchema).check(z.minLength(1), z.maxLength(64))), null),
    /** Models it may ask for (`null` or absent: any). */
    models: z._default(z.nullable(z.array(modelSchema).check(z.minLength(1), z.maxLength(256))), null),
    /** When it stops working (ISO date-time with offset, or a `Date`); `null` for never. */
    expiresAt: z._default(z.nullable(z.union([z.iso.datetime({ offset: true }), z.date()])), null),
    /** Requests (resolutions) per window, and a token budget charged by `vault.recordUsage`. */
    quota: z._default(
      z.nullable(
        z.strictObject({
          /** Resolutions per window. */
          requests: z.optional(quotaLimit()),
          /** Tokens per window, charged from the calls' usage. */
          tokens: z.optional(quotaLimit()),
        }),
      ),
      null,
    ),
  }))();

/** Paging of `listAccessKeys`. */
export const listAccessKeysInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Opaque cursor from a previous page. */
    cursor: cursor(),
    /** Page size, 1..500 (default 50). */
    limit: pageLimit(),
  }))();

/** Filters and paging of `listAccessKeyUsage`. */
export const listAccessKeyUsageInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** Only this access key's records. */
    keyId: z.optional(idSchema()),
    /** First UTC day (`YYYY-MM-DD`), inclusive. */
    from: period(),
    /** Last UTC day (`YYYY-MM-DD`), inclusive. */
    to: period(),
    /** Opaque cursor from a previous page. */
    cursor: cursor(),
    /** Page size, 1..500 (default 50). */
    limit: pageLimit(),
  }))();

/** Input of `vault.recordUsage`: tokens to charge to the access key a resolution came from. */
export const recordUsageInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The resolution's tenant. */
    tenantId: tenantIdSchema,
    /** The resolution's `accessKeyId`. */
    accessKeyId: idSchema(),
    /** Tokens the call used (input and output), a positive integer. */
    tokens: z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER)),
  }))();

/**
 * Input of `vault.resolve` with an access key: the token (a string or the
 * `Secret` `createAccessKey` returned) names tenant and scope; no `tenantId`
 * or `scope` beside it.
 */
export const accessKeyResolveInputSchema = /* @__PURE__ */ (() =>
  z.strictObject({
    /** The bearer token (`byk_live_...`). Any string: a malformed token is ACCESS_KEY_INVALID (401), not a validation error. */
    accessKey: z.string(),
    /** The provider to resolve for, checked against the key's allow-list. */
    provider: z.optional(providerIdSchema),
    /** The model the request will use, checked against the key's allow-list. */
    model: z.optional(modelSchema),
    /** A config id or name to use explicitly, within the key's scope chain. */
    config: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  }))();
