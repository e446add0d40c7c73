/**
 * Starts the Provider Hub: the store (a SQLite file, or PostgreSQL with
 * `DATABASE_URL`), the demo keyrings, the stand-in provider, the vault, and
 * the Express app on `PORT`.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accessKeys,
  createVault,
  defaultAuthorize,
  keyPools,
  workloadRoutes,
  type ProviderDescriptor,
  type ProviderRegistry,
  type Vault,
} from 'byokit';
import { builtinProviders, openaiProvider } from 'byokit/providers';
import { createHubApp } from './app.js';
import { loadDemoKeyrings } from './demo-keyrings.js';
import { openHubStore } from './store.js';
import { startStandInProvider, STAND_IN_ACCEPTED_PREFIX, type StandInProvider } from './stand-in-provider.js';

/** The providers the page shows a card for, configured or not. */
export const HUB_CATALOG = ['openai', 'anthropic', 'google', 'mistral'] as const;

/** Where the demo keeps its SQLite file and demo keyrings (gitignored). */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('./.data/', import.meta.url));

export interface HubOptions {
  /** Environment: `PORT`, `DATABASE_URL`, `HUB_PG_SCHEMA`, `HUB_DATA_DIR`, `BYOKIT_MASTER_KEYS`, ... Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where request log lines go. Default `console.log`. */
  log?: (line: string) => void;
  /** Listen on this host (default `127.0.0.1`). */
  host?: string;
}

export interface RunningHub {
  url: string;
  vault: Vault;
  standIn: StandInProvider;
  /** `sqlite <file>` or `postgres <schema>`. */
  storeLabel: string;
  close(): Promise<void>;
}

/**
 * DEMO ONLY: OpenAI with the stand-in as its default endpoint, so keys of
 * configs that name no base URL, and the platform key, go to the local
 * stand-in and the hub runs offline. In your app, pass `builtinProviders`
 * as they are (or leave `providers` out).
 */
function openaiAtStandIn(baseUrl: string): ProviderDescriptor {
  const at = <T extends { baseUrl: string | null }>(input: T): T => ({ ...input, baseUrl: input.baseUrl ?? baseUrl });
  return {
    ...openaiProvider,
    defaultBaseUrl: baseUrl,
    createClient: (input) => openaiProvider.createClient(at(input)),
    validateKey: (input) => openaiProvider.validateKey!(at(input)),
  };
}

export async function startHub({
  env = process.env,
  log = console.log,
  host = '127.0.0.1',
}: HubOptions = {}): Promise<RunningHub> {
  const dataDir = env.HUB_DATA_DIR ?? DEFAULT_DATA_DIR;
  mkdirSync(dataDir, { recursive: true });
  const standIn = await startStandInProvider();
  const { store, label: storeLabel, close: closeStore } = await openHubStore(env, join(dataDir, 'hub.db'));
  const keyrings = loadDemoKeyrings(env, dataDir);
  const providers: ProviderRegistry = { ...builtinProviders, openai: openaiAtStandIn(standIn.baseUrl) };
  const standInOrigin = new URL(standIn.baseUrl).origin;

  const vault = createVault({
    store,
    keyring: keyrings.masterKeys,
    providers,
    authorize: defaultAuthorize, // owner: everything; admin: no deleting configs; member: read only
    // The platform's own key, used when a tenant brought none (or disabled theirs).
    platformKeys: {
      openai: { apiKey: env.HUB_PLATFORM_KEY ?? `${STAND_IN_ACCEPTED_PREFIX}platform-0000000000000000pf01` },
    },
    // Keys only travel to public addresses unless the host opts in. The demo opts in for
    // loopback, and its own endpoint policy narrows that to the stand-in alone.
    allowPrivateEndpoints: ['127.0.0.1'],
    endpointPolicy: (url) => url.hostname !== '127.0.0.1' || url.origin === standInOrigin,
    // Key health from real traffic; "last used" is written behind, every second here (default: a minute).
    keyHealth: { flushIntervalMs: 1_000 },
    accessKeys: accessKeys({ keyring: keyrings.accessKeySecrets }),
    // Several keys of one provider form a pool (failover, round-robin, weighted), and a 429
    // cools a key down for a while; the page shows each pool and lets an admin pick its policy.
    pools: keyPools(),
    // Named workloads (`chat`, `embeddings`, `batch`, ...) mapped to configs.
    routes: workloadRoutes(),
    onHookError: (error, hook) => log(`hook ${hook} failed: ${errorName(error)}`),
  });

  const app = createHubApp({ vault, providers, catalog: HUB_CATALOG, authorize: defaultAuthorize, log });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(Number(env.PORT ?? 3000), host, () => resolve(s));
    s.once('error', reject); // e.g. the port is taken
  }).catch(async (error: unknown) => {
    await Promise.allSettled([vault.close(), closeStore(), standIn.close()]);
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    vault,
    standIn,
    storeLabel,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await vault.close();
      await closeStore();
      await standIn.close();
    },
  };
}

/** An error's class name: a hook error's message is not the hub's to print. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.constructor.name : typeof error;
}
