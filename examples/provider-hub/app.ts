/**
 * The Provider Hub's HTTP side: the admin API a BYOK platform needs, scoped
 * to the caller's tenant and role, and the static page that uses it.
 *
 * Every route is a thin layer over byokit: the request is checked with
 * byokit's own schemas (`byokit/schemas`: `parseInput` gives the same
 * errors the vault gives), the
 * vault call does the permission check, tenant scoping and audit, and
 * `http-errors.ts` turns every failure into a status in one place. Views are
 * byokit's `ConfigView`s, `PoolView`s and `RouteView`s, which carry a key's
 * hint and state, never the key.
 */
import { fileURLToPath } from 'node:url';
import type { OpenAI } from 'openai';
import express, { type Request, type Response } from 'express';
import * as z from 'zod/mini';
import {
  type ByokitError,
  PERMISSIONS,
  isByokitError,
  type Actor,
  type AuthorizeFn,
  type ConfigView,
  type Permission,
  type ProviderRegistry,
  type Resolution,
  type TenantVault,
  type TraceEntry,
  type Vault,
} from 'byokit';
import {
  configIdSchema,
  createConfigInputSchema,
  listAccessKeysInputSchema,
  listAuditInputSchema,
  listConfigsInputSchema,
  listPoolsInputSchema,
  parseInput,
  poolKeyInputSchema,
  poolPolicyInputSchema,
  providerIdSchema,
  providerKeySchema,
  resolveInputSchema,
  routeNameSchema,
  scopeSchema,
  setKeyOptionsSchema,
  updateConfigInputSchema,
} from 'byokit/schemas';
import { authenticate, callerOf } from './demo-auth.js';
import { HubError, handleErrors } from './http-errors.js';

/** `PUT /api/configs/:id/key`: the key and its optional expiry. The key never appears in an error. */
const setKeyBodySchema = z.extend(setKeyOptionsSchema, { key: providerKeySchema });
const enabledBodySchema = z.strictObject({ enabled: z.boolean() });
const defaultBodySchema = z.strictObject({ isDefault: z.boolean() });
const testRequestBodySchema = z.strictObject({
  provider: z.optional(providerIdSchema),
  route: z.optional(routeNameSchema),
});
/** `?scope`: the query of `GET /api/routes` and `DELETE /api/routes/:route` (`listRoutes`, `removeRoute` options). */
const routeScopeQuerySchema = z.strictObject({ scope: z.optional(scopeSchema) });
/** `PUT /api/routes/:route`: the config the workload uses, and the scope the route is set in (default: the tenant). */
const setRouteBodySchema = z.strictObject({ configId: configIdSchema, scope: z.optional(scopeSchema) });

export interface HubAppOptions {
  vault: Vault;
  /** The registry the vault was created with (provider labels, `createClient`). */
  providers: ProviderRegistry;
  /** Provider ids the page shows a card for, in order, configured or not. */
  catalog: readonly string[];
  /** The vault's permission policy, to tell the page which controls the caller may use. */
  authorize: AuthorizeFn;
  /** One line per request: method, path, status, time, tenant, actor, error code. Never a body. */
  log: (line: string) => void;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

/** The tenant-bound admin handle for this request's caller. */
function adminFor(vault: Vault, res: Response): TenantVault {
  const { tenantId, actor } = callerOf(res);
  return vault.as({ tenantId, actor });
}

/** The words the hub's paths are made of; a log line shows any other segment as `*`. */
const PATH_WORDS = new Set([
  'api',
  'session',
  'providers',
  'configs',
  'key',
  'validate',
  'enabled',
  'default',
  'audit',
  'access-keys',
  'pools',
  'policy',
  'routes',
  'resolve',
  'test-request',
  'index.html',
  'hub.css',
  'hub.js',
]);
const CONFIG_ID = /^cfg_[0-9A-Z]{26}$/;

/**
 * The request path as the log shows it: known words and config ids, every
 * other segment replaced, and no query string. A client that puts a key in
 * a URL by mistake must not get it written to the log.
 */
function loggedPath(url: string): string {
  const path = url.split('?')[0]!;
  return path
    .split('/')
    .map((segment) => (segment === '' || PATH_WORDS.has(segment) || CONFIG_ID.test(segment) ? segment : '*'))
    .join('/');
}

/** Query strings are text; list queries take `limit` as a number. */
function pageQuery(req: Request): Record<string, unknown> {
  const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  if (typeof query.limit === 'string' && /^\d{1,4}$/.test(query.limit)) query.limit = Number(query.limit);
  return query;
}

function configId(req: Request): string {
  return parseInput(configIdSchema, req.params.id, 'config id');
}

function routeName(req: Request): string {
  return parseInput(routeNameSchema, req.params.route, 'route');
}

/** Every config of the tenant, all pages. */
async function allConfigs(admin: TenantVault): Promise<ConfigView[]> {
  const configs: ConfigView[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.listConfigs({ limit: 500, ...(cursor ? { cursor } : {}) });
    configs.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return configs;
}

/** What the page shows of a resolution: where the key comes from and why, its hint, never the key. */
function resolutionView(r: Resolution) {
  return {
    source: r.source,
    provider: r.provider,
    requestedProvider: r.requestedProvider,
    configId: r.configId,
    configName: r.configName,
    configScope: r.configScope,
    keyHint: r.keyHint,
    model: r.model,
    trace: r.trace,
    resolvedAt: r.resolvedAt,
  };
}

export function createHubApp({ vault, providers, catalog, authorize, log }: HubAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');

  // The request log: one line per request, written when the answer is sent.
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const caller = res.locals.caller as { tenantId: string; actor: { id: string; role?: string } } | undefined;
      const who = caller ? ` tenant=${caller.tenantId} actor=${caller.actor.id}` : '';
      const code = res.locals.errorCode ? ` code=${res.locals.errorCode}` : '';
      const name = res.locals.errorName ? ` error=${res.locals.errorName}` : '';
      log(
        `${req.method} ${loggedPath(req.originalUrl)} ${res.statusCode} ${Math.round(performance.now() - started)}ms${who}${code}${name}`,
      );
    });
    next();
  });

  app.use((_req, res, next) => {
    // The page loads only its own script and style; nothing inline, nothing framed.
    res.set(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    res.set('x-content-type-options', 'nosniff');
    res.set('referrer-policy', 'no-referrer');
    next();
  });

  app.use(express.static(PUBLIC_DIR, { index: 'index.html' }));

  const api = express.Router();
  api.use(express.json({ limit: '16kb' }));
  api.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });
  api.use(authenticate);

  // Who the caller is, and which permissions they hold (the page disables what they can't do).
  api.get('/session', async (_req, res) => {
    const { tenantId, actor } = callerOf(res);
    const held = [];
    for (const permission of PERMISSIONS)
      if ((await authorize(actor, permission, { tenantId, action: 'session' })) === true) held.push(permission);
    res.json({ tenantId, actor, permissions: held });
  });

  // The provider catalog with the tenant's configs of each: state, hint, default, last validated, health.
  api.get('/providers', async (_req, res) => {
    const configs = await allConfigs(adminFor(vault, res));
    const ids = [...catalog, ...new Set(configs.map((c) => c.provider).filter((id) => !catalog.includes(id)))];
    res.json({
      providers: ids.map((id) => {
        const descriptor = Object.hasOwn(providers, id) ? providers[id] : undefined;
        return {
          id,
          label: descriptor?.label ?? id,
          keyPrefixes: descriptor?.keyPrefixes ?? [],
          requiresBaseUrl: descriptor?.requiresBaseUrl ?? false,
          configs: configs.filter((c) => c.provider === id),
        };
      }),
    });
  });

  api.get('/configs', async (req, res) => {
    res.json(
      await adminFor(vault, res).listConfigs(parseInput(listConfigsInputSchema, pageQuery(req), 'config query')),
    );
  });

  api.post('/configs', async (req, res) => {
    const input = parseInput(createConfigInputSchema, req.body, 'config');
    res.status(201).json(await adminFor(vault, res).createConfig(input));
  });

  api.get('/configs/:id', async (req, res) => {
    res.json(await adminFor(vault, res).getConfig(configId(req)));
  });

  api.patch('/configs/:id', async (req, res) => {
    const id = configId(req);
    res.json(
      await adminFor(vault, res).updateConfig(id, parseInput(updateConfigInputSchema, req.body, 'config changes')),
    );
  });

  api.delete('/configs/:id', async (req, res) => {
    await adminFor(vault, res).deleteConfig(configId(req));
    res.status(204).end();
  });

  // Set or replace the key. The answer is the config's view: its hint, never the key.
  api.put('/configs/:id/key', async (req, res) => {
    const id = configId(req);
    const { key, expiresAt } = parseInput(setKeyBodySchema, req.body, 'key');
    res.json(await adminFor(vault, res).setKey(id, key, { expiresAt }));
  });

  api.delete('/configs/:id/key', async (req, res) => {
    res.json(await adminFor(vault, res).removeKey(configId(req)));
  });

  // A live check of the stored key at its provider; the outcome is recorded on the config.
  api.post('/configs/:id/validate', async (req, res) => {
    const { config, ...result } = await adminFor(vault, res).validateKey(configId(req));
    res.json({ result, config });
  });

  api.put('/configs/:id/enabled', async (req, res) => {
    const id = configId(req);
    const { enabled } = parseInput(enabledBodySchema, req.body, 'enabled');
    res.json(await adminFor(vault, res).setEnabled(id, enabled));
  });

  api.put('/configs/:id/default', async (req, res) => {
    const id = configId(req);
    const { isDefault } = parseInput(defaultBodySchema, req.body, 'default');
    res.json(await adminFor(vault, res).setDefault(id, isDefault));
  });

  // The tenant's audit trail, newest first, a page at a time (`cursor` from the previous page).
  api.get('/audit', async (req, res) => {
    res.json(await adminFor(vault, res).listAudit(parseInput(listAuditInputSchema, pageQuery(req), 'audit query')));
  });

  api.get('/access-keys', async (req, res) => {
    const page = await adminFor(vault, res).listAccessKeys(
      parseInput(listAccessKeysInputSchema, pageQuery(req), 'access key query'),
    );
    res.json(page);
  });

  // Key pools: per scope and provider, the members in failover order with
  // their state, health, cooldown and availability (`listPools`).
  api.get('/pools', async (req, res) => {
    res.json({
      pools: await adminFor(vault, res).listPools(parseInput(listPoolsInputSchema, req.query, 'pool query')),
    });
  });

  // Sets one pool's selection policy (`key:manage`: it decides which key
  // traffic reaches). Answers the policy as stored and the pool as it is now.
  api.put('/pools/policy', async (req, res) => {
    const admin = adminFor(vault, res);
    const policy = await admin.setPoolPolicy(parseInput(poolPolicyInputSchema, req.body, 'pool policy'));
    const [pool = null] = await admin.listPools({ scope: policy.scope, provider: policy.provider });
    res.json({ policy, pool });
  });

  // Back to failover in resolution order. `removed: false` when none was set.
  api.delete('/pools/policy', async (req, res) => {
    res.json({
      removed: await adminFor(vault, res).removePoolPolicy(parseInput(poolKeyInputSchema, req.query, 'pool')),
    });
  });

  // Workload routes, by scope then name; `state: 'dangling'` when the config is gone.
  api.get('/routes', async (req, res) => {
    res.json({
      routes: await adminFor(vault, res).listRoutes(parseInput(routeScopeQuerySchema, req.query, 'route query')),
    });
  });

  api.put('/routes/:route', async (req, res) => {
    const route = routeName(req);
    const { configId: target, scope } = parseInput(setRouteBodySchema, req.body, 'route');
    res.json(await adminFor(vault, res).setRoute(route, target, scope === undefined ? {} : { scope }));
  });

  api.delete('/routes/:route', async (req, res) => {
    const route = routeName(req);
    const { scope } = parseInput(routeScopeQuerySchema, req.query, 'route query');
    await adminFor(vault, res).removeRoute(route, scope === undefined ? {} : { scope });
    res.status(204).end();
  });

  // Which key a request would use right now, and why: a resolution with
  // `explain`, so the trace also names the configs passed over; `?route=`
  // asks for a workload route. Needs `config:read` like the rest of the page.
  api.get('/resolve', async (req, res) => {
    const { tenantId, actor } = callerOf(res);
    const request = parseInput(resolveInputSchema, { ...req.query, tenantId, explain: true }, 'resolve query');
    await requirePermission(authorize, tenantId, actor, 'config:read', 'see how requests resolve');
    try {
      res.json({ resolution: resolutionView(await vault.resolve(request)) });
    } catch (error) {
      // No key at all is an answer here, not a failure: requests would be refused.
      if (!isByokitError(error, 'NO_KEY')) throw error;
      res.json({
        resolution: null,
        message: error.message,
        trace: (error as ByokitError & { trace?: readonly TraceEntry[] }).trace ?? [],
      });
    }
  });

  // Sends one chat completion the way the platform's request path would,
  // through `vault.withKey`: a 429, a refused key or a 5xx moves the call to
  // the pool's next key, and each move is in the answer's trace. Key health,
  // cooldowns and "last used" move with it. It spends the tenant's key, so
  // it takes `key:manage`, not just reading.
  api.post('/test-request', async (req, res) => {
    const { tenantId, actor } = callerOf(res);
    const { provider, route } = parseInput(testRequestBodySchema, req.body ?? {}, 'test request');
    await requirePermission(authorize, tenantId, actor, 'key:manage', 'send test requests');
    let last: Resolution | null = null;
    try {
      const reply = await vault.withKey(
        { tenantId, ...(provider ? { provider } : {}), ...(route ? { route } : {}) },
        async (client: OpenAI, resolution, { signal }) => {
          last = resolution;
          const completion = await client.chat.completions.create(
            { model: resolution.model ?? 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] },
            { signal },
          );
          return completion.choices[0]?.message.content ?? '';
        },
        { expect: 'openai', maxAttempts: 3, timeoutMs: 15_000 },
      );
      res.json({ ok: true, resolution: resolutionView(last!), reply });
    } catch (error) {
      // No resolution (no key, wrong provider) or a failure of byokit's own: an error answer.
      if (last === null || isByokitError(error)) throw error;
      const status = (error as { status?: unknown }).status;
      // The provider's own text may quote request details; the hub says only what status it got.
      res.json({ ok: false, resolution: resolutionView(last), httpStatus: typeof status === 'number' ? status : null });
    }
  });

  // Unknown paths: a generic answer that doesn't echo the path (Express's own 404 page would).
  const notFound: express.RequestHandler = (_req, _res, next) => next(new HubError(404, 'NOT_FOUND', 'no such route'));
  api.use(notFound);
  app.use('/api', api);
  app.use(notFound);
  app.use(handleErrors);
  return app;
}

/**
 * The hub's own permission check, for calls that are not tenant-handle
 * calls (the vault's `resolve` is a service call with no actor), with the
 * same policy the vault uses.
 */
async function requirePermission(
  authorize: AuthorizeFn,
  tenantId: string,
  actor: Actor,
  permission: Permission,
  what: string,
): Promise<void> {
  if ((await authorize(actor, permission, { tenantId, action: what })) !== true) {
    throw new HubError(
      403,
      'PERMISSION_DENIED',
      `actor "${actor.id}" may not ${what} in tenant "${tenantId}" (needs ${permission})`,
    );
  }
}
