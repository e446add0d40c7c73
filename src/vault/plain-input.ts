/**
 * Checks of the inputs every host makes on every request (`vault.as`,
 * `vault.resolve`), written without zod so that a host that only resolves
 * never loads the schema library: the zod schemas of {@link ./schemas.ts}
 * load on the first admin call. A property test holds each check equal to
 * its schema (the same inputs accepted, the same output).
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from '../errors.js';
import { MAX_SCOPE_DEPTH, SCOPE_SEGMENT_PATTERN } from '../resolve/scope.js';
import type { Actor } from '../store/types.js';
import type { ResolveRequest } from './schemas.js';
import { byokitMessage } from '../message.js';

export const TENANT_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;
export const TENANT_ID_RULE = 'must be 1-128 characters of letters, digits and _ . : @ -';
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
/** A workload route name: `chat`, `embeddings`, `vision`, `batch`, or the host's own. */
export const ROUTE_NAME_PATTERN = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

/** `''`, or up to 8 `/`-separated segments of letters, digits and `_ . : @ -`. */
export function validScope(s: string): boolean {
  if (s === '') return true;
  const segments = s.split('/');
  return segments.length <= MAX_SCOPE_DEPTH && segments.every((seg) => SCOPE_SEGMENT_PATTERN.test(seg));
}

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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownFields(value: Record<string, unknown>, known: readonly string[]): string[] {
  const extra: string[] = [];
  for (const key in value) if (!known.includes(key)) extra.push(key);
  return extra;
}

/** The issues of a string field of `min`-`max` characters; `null` when it is valid. */
function stringIssue(value: unknown, min: number, max: number): string | null {
  if (value === undefined) return 'required';
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < min) return `must have at least ${min} character${min === 1 ? '' : 's'}`;
  if (value.length > max) return `must have at most ${max} characters`;
  return null;
}

/**
 * The input of `vault.as`: `{ tenantId, actor: { id, role? } }`, exactly
 * the rules of `tenantHandleInputSchema`, checked synchronously without
 * zod. Throws a {@link ValidationError} whose issues name paths and rules,
 * never values.
 */
export function checkTenantHandle(input: unknown): { tenantId: string; actor: Actor } {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string | null) => {
    if (message !== null) issues.push({ path, message });
  };
  if (!isRecord(input)) {
    add('(input)', input === undefined ? 'required' : 'must be an object');
  } else {
    const extra = unknownFields(input, ['tenantId', 'actor']);
    if (extra.length > 0) add('(input)', `unknown field(s): ${extra.join(', ')}`);
    const { tenantId, actor } = input;
    add(
      'tenantId',
      tenantId === undefined
        ? 'required'
        : typeof tenantId !== 'string'
          ? 'must be a string'
          : TENANT_ID_PATTERN.test(tenantId)
            ? null
            : TENANT_ID_RULE,
    );
    if (!isRecord(actor)) {
      add('actor', actor === undefined ? 'required' : 'must be an object');
    } else {
      const actorExtra = unknownFields(actor, ['id', 'role']);
      if (actorExtra.length > 0) add('actor', `unknown field(s): ${actorExtra.join(', ')}`);
      add('actor.id', stringIssue(actor.id, 1, 200));
      if (actor.role !== undefined) add('actor.role', stringIssue(actor.role, 1, 100));
    }
  }
  if (issues.length > 0) {
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ValidationError(byokitMessage('vault', `invalid tenant handle: ${summary}`), issues);
  }
  const { tenantId, actor } = input as { tenantId: string; actor: { id: string; role?: string } };
  return { tenantId, actor: actor.role === undefined ? { id: actor.id } : { id: actor.id, role: actor.role } };
}
