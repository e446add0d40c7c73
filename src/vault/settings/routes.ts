/**
 * Workload routes (`workloadRoutes()`): a tenant maps named workloads
 * (`chat`, `embeddings`, `vision`, `batch`, or its own names) to configs,
 * per scope, and `vault.resolve({ tenantId, route })` uses the route
 * nearest to the asked scope. Stored as the `routes` section of the
 * tenant's settings document (`{ [scope]: { [route]: configId } }`), so
 * writes are compare-and-swap on the document's revision and audited
 * (`route.changed`) in the same step.
 *
 * A route points at a config by id; deleting or moving the config leaves
 * the route dangling: views say so (`state: 'dangling'`) and resolution
 * passes it over (trace reason `route_dangling`) to what the request
 * resolves to without a route (the provider's default).
 *
 * @module
 */
import { NotFoundError, ValidationError } from '../../errors.js';
import { scopeChain } from '../../resolve/scope.js';
import type { SettingsRecord } from '../../store/settings-storage.js';
import type { ScopePath } from '../../store/types.js';
import type { TraceEntry } from '../../resolve/types.js';
import { callStore, checkRecord, loadConfig } from '../context.js';
import type { RoutePick, RoutesFeature, TenantActor } from '../features.js';
import { parseWith } from '../lazy-schemas.js';
import { checkSettings, updateSettingsSection } from './document.js';
import type { listRoutesInputSchema, RoutesSettings, setRouteOptionsSchema } from './schemas.js';
import type { z } from 'zod';

import { MAX_ROUTED_SCOPES, MAX_ROUTES_PER_SCOPE } from './limits.js';

export type { RoutesSettings } from './schemas.js';
import type { VaultContext } from '../context.js';
import { byokitMessage } from '../../message.js';

/** Options of `admin.setRoute` and `admin.removeRoute`. */
export type SetRouteOptions = z.input<typeof setRouteOptionsSchema>;
/** Query of `admin.listRoutes`. */
export type ListRoutesInput = z.input<typeof listRoutesInputSchema>;

/**
 * One workload route as hosts and their UIs see it. `state` is `dangling`
 * when its config is gone or no longer visible from the route's scope
 * (deleted, or moved to another scope): resolution then passes it over.
 */
export interface RouteView {
  /** The workload's name (`chat`, `embeddings`, ...), as `resolve({ route })` names it. */
  route: string;
  /** The scope the route is set in (`''`: the tenant). */
  scope: ScopePath;
  /** The config the route points at; kept when dangling, so a UI can say which one is gone. */
  configId: string;
  /** The config's name, `null` when dangling. */
  configName: string | null;
  /** The config's provider, `null` when dangling. */
  provider: string | null;
  /** `ok`, or `dangling` when the config is deleted or moved out of the route's scope chain. */
  state: 'ok' | 'dangling';
}

/** The `routes` section of a settings document, `{}` when it has none. */
function routesOf(settings: SettingsRecord | null): RoutesSettings {
  return (settings?.document.routes as RoutesSettings | undefined) ?? {};
}

/** Whether a config in `configScope` serves requests in `scope` (it is in the scope's chain). */
function visibleFrom(configScope: ScopePath, scope: ScopePath): boolean {
  return scopeChain(scope).includes(configScope);
}

/**
 * Workload routes for `createVault({ routes })`. Then `admin.setRoute`
 * sets which config a named workload uses in a scope, and
 * `vault.resolve({ tenantId, route })` uses it (one more settings read per
 * routed resolution), else resolves as without a route.
 *
 * @example
 * ```ts
 * const vault = createVault({ store, keyring, routes: workloadRoutes() });
 * await admin.setRoute('embeddings', cheapConfig.id);            // tenant-wide
 * await admin.setRoute('chat', claudeConfig.id, { scope: 'ws1' });
 * const r = await vault.resolve({ tenantId: 'acme', scope: 'ws1', route: 'chat' });
 * ```
 */
export function workloadRoutes(): RoutesFeature {
  return {
    async pick(ctx, { tenantId, route, config }, chain): Promise<RoutePick> {
      if (config !== undefined) {
        const message = 'name a config or a route, not both';
        throw new ValidationError(byokitMessage('resolve', `invalid resolve request: route: ${message}`), [
          { path: 'route', message },
        ]);
      }
      const settings = await callStore(ctx, 'getSettings', () => ctx.store.getSettings(tenantId));
      const routes = routesOf(settings && (await checkSettings(ctx, settings, tenantId)));
      for (const scope of chain) {
        const configId =
          Object.hasOwn(routes, scope) && Object.hasOwn(routes[scope]!, route!) ? routes[scope]![route!]! : undefined;
        if (configId !== undefined) return { settings, target: { configId, scope } };
      }
      return { settings, target: null, none: { step: 'route', route: route!, outcome: 'none' } };
    },

    passOver(route, target, config, provider) {
      const entry: TraceEntry = {
        step: 'route',
        route,
        scope: target.scope,
        configId: target.configId,
        outcome: 'skipped',
      };
      if (config === null) return { ...entry, reason: 'route_dangling' };
      const serves =
        provider === null ||
        config.provider === provider ||
        (config.provider === 'custom' && config.routes.includes(provider));
      return serves ? null : { ...entry, configName: config.name, reason: 'provider_mismatch' };
    },

    async set(ctx, as, routeInput, configInput, optionsInput) {
      const route = await parseWith('routeNameSchema', routeInput, 'route');
      const configId = configInput === null ? null : await parseWith('configIdSchema', configInput, 'config id');
      const { scope } = await parseWith('setRouteOptionsSchema', optionsInput ?? {}, 'route options');
      await as.allow('setRoute', 'config:write', { scope });
      let configName: string | null = null;
      if (configId !== null) {
        const config = await loadConfig(ctx, as.tenantId, configId);
        if (!config)
          throw new NotFoundError(byokitMessage('vault', `no config ${configId} in tenant "${as.tenantId}"`));
        if (!visibleFrom(config.scope, scope)) {
          const message = `config ${configId} lives in scope "${config.scope}", which requests in scope "${scope}" never reach`;
          throw new ValidationError(byokitMessage('vault', `invalid route: configId: ${message}`), [
            { path: 'configId', message },
          ]);
        }
        configName = config.name;
      }
      let previous: string | null = null;
      await updateSettingsSection(
        ctx,
        as.tenantId,
        as.actor,
        'routes',
        (current) => {
          const routes = (current ?? {}) as RoutesSettings;
          const inScope = { ...routes[scope] };
          previous = inScope[route] ?? null;
          if (previous === configId) return null;
          if (configId === null) delete inScope[route];
          else inScope[route] = configId;
          const next = { ...routes, [scope]: inScope };
          if (Object.keys(inScope).length === 0) delete next[scope];
          if (Object.keys(inScope).length > MAX_ROUTES_PER_SCOPE || Object.keys(next).length > MAX_ROUTED_SCOPES) {
            const message = `at most ${MAX_ROUTES_PER_SCOPE} routes per scope and ${MAX_ROUTED_SCOPES} scopes with routes`;
            throw new ValidationError(byokitMessage('vault', `invalid route: ${message}`), [
              { path: 'route', message },
            ]);
          }
          return next;
        },
        () => ({
          configId,
          type: 'route.changed',
          changes: ['routes'],
          detail: { route, scope, configId, configName, previousConfigId: previous },
        }),
      );
      return routeViews(ctx, as, { [scope]: configId === null ? {} : { [route]: configId } }).then(
        (views) => views[0] ?? null,
      );
    },

    async list(ctx, as, queryInput) {
      const { scope } = await parseWith('listRoutesInputSchema', queryInput ?? {}, 'route query');
      await as.allow('listRoutes', 'config:read', scope === undefined ? {} : { scope });
      const settings = await callStore(ctx, 'getSettings', () => ctx.store.getSettings(as.tenantId));
      const routes = routesOf(settings && (await checkSettings(ctx, settings, as.tenantId)));
      return routeViews(
        ctx,
        as,
        scope === undefined ? routes : Object.hasOwn(routes, scope) ? { [scope]: routes[scope]! } : {},
      );
    },
  };
}

/** Views of `routes`, sorted by scope then route, each config read once. */
async function routeViews(ctx: VaultContext, as: TenantActor, routes: RoutesSettings): Promise<RouteView[]> {
  const entries = Object.entries(routes).flatMap(([scope, inScope]) =>
    Object.entries(inScope).map(([route, configId]) => ({ scope, route, configId })),
  );
  entries.sort((x, y) => (x.scope === y.scope ? (x.route < y.route ? -1 : 1) : x.scope < y.scope ? -1 : 1));
  const ids = [...new Set(entries.map((e) => e.configId))];
  const configs = new Map(
    await Promise.all(
      ids.map(async (id) => {
        const record = await callStore(ctx, 'getConfig', () => ctx.store.getConfig(as.tenantId, id));
        return [id, record && checkRecord(ctx, record, as.tenantId, id)] as const;
      }),
    ),
  );
  return entries.map(({ scope, route, configId }) => {
    const config = configs.get(configId) ?? null;
    const live = config !== null && visibleFrom(config.scope, scope);
    return {
      route,
      scope,
      configId,
      configName: live ? config.name : null,
      provider: live ? config.provider : null,
      state: live ? 'ok' : 'dangling',
    };
  });
}
