/**
 * The checks a config must pass before it is stored, shared by the
 * one-at-a-time path (`TenantVault`) and bulk import: which provider it
 * names, what its endpoint and options need, and whether the endpoint
 * policy lets a key travel there.
 *
 * @module
 */
import { ValidationError } from '../errors.js';
import { checkEndpoint } from '../net/endpoint-policy.js';
import { getProvider } from '../providers/registry.js';
import type { ProviderDescriptor } from '../providers/types.js';
import type { ConfigRecord } from '../store/types.js';
import type { VaultContext } from './context.js';
import type { EndpointRequest } from './options.js';
import { byokitMessage } from '../message.js';

/** One problem with an input, by path. */
export type Issue = { path: string; message: string };

/** The descriptor of `provider`, or a `VALIDATION_FAILED` error naming it. */
export function providerDescriptor(ctx: VaultContext, provider: string): ProviderDescriptor {
  try {
    return getProvider(ctx.providers, provider);
  } catch {
    throw new ValidationError(byokitMessage('vault', `invalid config: provider: unknown provider "${provider}"`), [
      { path: 'provider', message: `unknown provider "${provider}"` },
    ]);
  }
}

/** What the provider needs of a config's endpoint, routes and options; an empty list when it is fine. */
export function configIssues(
  ctx: VaultContext,
  record: Pick<ConfigRecord, 'provider' | 'baseUrl' | 'routes' | 'options'>,
): Issue[] {
  const descriptor = providerDescriptor(ctx, record.provider);
  const issues: Issue[] = [];
  if (descriptor.requiresBaseUrl && record.baseUrl === null)
    issues.push({ path: 'baseUrl', message: `required for provider "${record.provider}"` });
  if (record.provider !== 'custom' && record.routes.length > 0)
    issues.push({ path: 'routes', message: 'only custom endpoints route other providers' });
  for (const route of record.routes) {
    if (!Object.hasOwn(ctx.providers, route)) issues.push({ path: 'routes', message: `unknown provider "${route}"` });
  }
  for (const message of descriptor.checkOptions?.(record.options, record.baseUrl) ?? [])
    issues.push({ path: 'options', message });
  return issues;
}

/**
 * Why the endpoint policy refuses the URL a key would go to (the base URL,
 * else the provider's default), as an issue; `null` when it allows it.
 */
export async function endpointIssue(
  ctx: VaultContext,
  tenantId: string,
  baseUrl: string | null,
  provider: string,
  action: EndpointRequest['action'],
): Promise<(Issue & { what: string }) | null> {
  const url = baseUrl ?? providerDescriptor(ctx, provider).defaultBaseUrl;
  if (url === undefined) return null;
  const refusal = await checkEndpoint(ctx.network, url, { tenantId, provider, action });
  if (refusal === null) return null;
  const what = baseUrl === null ? `the ${provider} default endpoint` : 'baseUrl';
  const hint =
    refusal === 'not allowed by the endpoint policy'
      ? ''
      : ' (self-hosted endpoints need the allowPrivateEndpoints opt-in)';
  return { path: 'baseUrl', message: `${refusal}${hint}`, what };
}

/** The first instant whose ISO string no longer has a four-digit year. */
const YEAR_10000 = Date.UTC(10000, 0, 1);

/**
 * A key expiry as stored (`Date#toISOString`), or why it can't be one: it
 * must lie after `now`, and before the year 10000, whose ISO strings
 * (`+010000-...`) would no longer sort as times (expiry is compared as
 * strings, see `keyExpired`).
 */
export function keyExpiry(expiresAt: string | Date | null, now: Date): { iso: string | null } | { issue: string } {
  if (expiresAt === null) return { iso: null };
  const time = new Date(expiresAt).getTime();
  if (!(time > now.getTime())) return { issue: 'must be in the future' };
  if (time >= YEAR_10000) return { issue: 'must be before the year 10000' };
  return { iso: new Date(time).toISOString() };
}
