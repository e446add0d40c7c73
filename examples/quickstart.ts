/**
 * byokit quickstart: offline, on the embedded memory store (or a SQLite
 * file with `--store sqlite`). Run it with `npm run demo`.
 *
 * Two tenants bring their own OpenAI keys; the platform has a shared key.
 * We store keys, resolve per request, call a local OpenAI-compatible server
 * with the resolved client, then disable a key and watch the fallback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Keyring,
  MemoryStore,
  createClient,
  createVault,
  type Resolution,
  type StorageAdapter,
  type UsageEvent,
} from 'byokit';
import { startLocalOpenAIServer } from './local-openai-server.js';

export interface QuickstartOptions {
  store?: 'memory' | 'sqlite';
  log?: (line: string) => void;
}

function describeResolution(r: Resolution): string {
  const steps = r.trace.map(
    (t) => `${t.step}${t.configName ? `(${t.configName})` : ''}:${t.outcome}${t.reason ? `:${t.reason}` : ''}`,
  );
  return `source=${r.source} key=${r.key} config=${r.configName ?? '-'} trace=[${steps.join(' → ')}]`;
}

export async function runQuickstart({
  store: storeKind = 'memory',
  log = console.log,
}: QuickstartOptions = {}): Promise<void> {
  const server = await startLocalOpenAIServer();
  const dir = storeKind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'byokit-quickstart-')) : null;
  try {
    // 1. The master keys (KEKs). In production: Keyring.fromEnv() reading BYOKIT_MASTER_KEYS.
    const keyring = Keyring.generate('k1');

    // 2. The store: in memory, or a SQLite file with one option.
    let store: StorageAdapter = new MemoryStore();
    if (dir) {
      const { SqliteStore } = await import('byokit/adapters/sqlite');
      store = await SqliteStore.open(join(dir, 'byokit.db'));
    }
    log(`store: ${store.name}`);

    // 3. The vault, with the platform's shared key as the fallback.
    const PLATFORM_KEY = 'sk-platform-SHARED0000000000000000pf01';
    server.accept.set('the platform', PLATFORM_KEY);
    const usage: UsageEvent[] = [];
    const vault = createVault({
      store,
      keyring,
      // The demo's OpenAI stand-in listens on 127.0.0.1. Keys only travel to
      // public addresses unless the host opts in; allow exactly this one.
      allowPrivateEndpoints: ['127.0.0.1'],
      platformKeys: { openai: { apiKey: PLATFORM_KEY, baseUrl: server.baseUrl } },
      onResolve: (event) => void usage.push(event),
    });

    // 4. Two tenants register configs and bring their own keys.
    const ACME_KEY = 'sk-proj-ACME0000000000000000000000ac7Q';
    const GLOBEX_KEY = 'sk-proj-GLOBEX00000000000000000000gb9Z';
    server.accept.set('acme', ACME_KEY).set('globex', GLOBEX_KEY);
    const acme = vault.as({ tenantId: 'acme', actor: { id: 'alice', role: 'owner' } });
    const globex = vault.as({ tenantId: 'globex', actor: { id: 'bob', role: 'admin' } });
    const acmeConfig = await acme.createConfig({
      name: 'prod',
      provider: 'openai',
      model: 'gpt-4o-mini',
      baseUrl: server.baseUrl,
      isDefault: true,
    });
    const globexConfig = await globex.createConfig({
      name: 'main',
      provider: 'openai',
      model: 'gpt-4o',
      baseUrl: server.baseUrl,
    });
    const view = await acme.setKey(acmeConfig.id, ACME_KEY);
    await globex.setKey(globexConfig.id, GLOBEX_KEY);
    log(`acme config "${view.name}": keyHint=${view.keyHint} keyState=${view.keyState}`);

    // 5. Per request: resolve, build the SDK client, call the model.
    for (const tenantId of ['acme', 'globex']) {
      const r = await vault.resolve({ tenantId, provider: 'openai' });
      log(`${tenantId}: ${describeResolution(r)}`);
      const openai = await createClient(r, 'openai');
      const reply = await openai.chat.completions.create({
        model: r.model ?? 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hi!' }],
      });
      log(`${tenantId}: ${reply.choices[0]?.message.content}`);
      if (server.seen.at(-1) !== tenantId)
        throw new Error(`the server saw ${server.seen.at(-1)}'s key, expected ${tenantId}'s`);
    }

    // 6. Acme disables its key: the next request falls back to the platform key.
    //    (`explain: true` reads every config of the scope chain, so the trace also names the
    //    disabled one; without it, resolve reads only the configs that can win.)
    await acme.setEnabled(acmeConfig.id, false);
    const fallback = await vault.resolve({ tenantId: 'acme', provider: 'openai', explain: true });
    log(`acme after disabling: ${describeResolution(fallback)}`);
    const openai = await createClient(fallback, 'openai');
    const reply = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi again!' }],
    });
    log(`acme: ${reply.choices[0]?.message.content}`);
    if (fallback.source !== 'platform' || server.seen.at(-1) !== 'the platform')
      throw new Error('expected the platform key after disabling');

    // 7. What the host meters, and what the audit trail says.
    log(`usage: ${usage.map((u) => `${u.tenantId}/${u.source}`).join(', ')}`);
    const audit = await acme.listAudit();
    log(`acme audit: ${audit.items.map((e) => `${e.type} by ${e.actor?.id}`).join(', ')}`);
    await (store as { close?: () => unknown }).close?.();
  } finally {
    await server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const storeFlag = process.argv.indexOf('--store');
  const store = storeFlag > 0 ? process.argv[storeFlag + 1] : (process.env.BYOKIT_STORE ?? 'memory');
  if (store !== 'memory' && store !== 'sqlite') throw new Error(`--store must be memory or sqlite, got ${store}`);
  await runQuickstart({ store });
}
