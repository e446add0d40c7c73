/**
 * Attack: reach around the guarded fetch through a WebSocket. @google/genai's
 * Live and Live Music APIs (`client.live.connect`, `client.live.music.connect`)
 * open `ws(s)://<base URL>/ws/...?key=<KEY>` with a factory of their own,
 * never through `httpOptions.fetch`: a base URL whose name resolves to an
 * internal address, or a refused IP literal, got the key in the query.
 *
 * What stops it: byokit gives those APIs a WebSocket factory that opens the
 * socket through the same guard (endpoint policy on the URL as http(s),
 * IP-literal and connect-time resolved-address checks, no redirect).
 */
import dns from 'node:dns';
import * as genai from '@google/genai';
import type { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, createVault, Keyring, MemoryStore, provideSdk } from '../../src/index.js';
import { startWebSocketServer, type WebSocketServer } from './hostile-server.js';

const KEY = 'AIzaSyCANARY00000000000000000000000000';
/** Answered 127.0.0.1 by a spy on dns.lookup: an internal name, not in any opt-in. */
const INTERNAL_NAME = 'live.corp.test';

let server: WebSocketServer;
beforeAll(async () => {
  server = await startWebSocketServer(['{"setupComplete":{}}']);
  const lookup = dns.lookup.bind(dns);
  vi.spyOn(dns, 'lookup').mockImplementation(((
    hostname: string,
    options: unknown,
    callback: (...args: unknown[]) => void,
  ) =>
    hostname === INTERNAL_NAME
      ? setImmediate(() => callback(null, [{ address: '127.0.0.1', family: 4 }]))
      : (lookup as (...args: unknown[]) => void)(hostname, options, callback)) as typeof dns.lookup);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});
beforeEach(() => {
  server.upgrades.length = 0;
});

async function resolutionFor(baseUrl: string, allowPrivateEndpoints?: string[]) {
  const vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate('k1'),
    ...(allowPrivateEndpoints ? { allowPrivateEndpoints } : {}),
  });
  const admin = vault.as({ tenantId: 'acme', actor: { id: 'o', role: 'owner' } });
  const cfg = await admin.createConfig({ name: 'g', provider: 'google', baseUrl, options: { sdk: 'genai' } });
  await admin.setKey(cfg.id, KEY);
  return vault.resolve({ tenantId: 'acme', provider: 'google' });
}

async function liveClient(baseUrl: string, allowPrivateEndpoints?: string[]) {
  return createClient(await resolutionFor(baseUrl, allowPrivateEndpoints), 'google-genai');
}

/** What a session attempt shows: the error `onerror` got (if any), within `ms`. */
async function connectLive(client: GoogleGenAI, which: 'live' | 'music', ms = 1500) {
  const errors: unknown[] = [];
  const callbacks = {
    onmessage: () => undefined,
    onerror: (event: unknown) => void errors.push((event as { error?: unknown }).error ?? event),
  };
  const connecting =
    which === 'live'
      ? client.live.connect({ model: 'gemini-2.0-flash-live-001', callbacks })
      : client.live.music.connect({ model: 'models/lyria-realtime-exp', callbacks });
  const session = await Promise.race([
    connecting.catch(() => null),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), ms)),
  ]);
  session?.close();
  return { session, errors };
}

describe('the Live APIs of a google (genai) client', () => {
  it.each(['live', 'music'] as const)(
    '%s: a name resolving to loopback (no opt-in) is refused at connect time; the key never arrives',
    async (which) => {
      const port = new URL(server.url).port;
      const client = await liveClient(`http://${INTERNAL_NAME}:${port}`);
      const { session } = await connectLive(client, which);
      expect(session).toBeNull();
      expect(server.upgrades).toEqual([]);
    },
  );

  it.each(['live', 'music'] as const)(
    "%s: the host's endpoint policy is asked about the socket's URL (as http, without the key) and can refuse it; onerror hears ENDPOINT_REFUSED",
    async (which) => {
      const asked: string[] = [];
      const client = await createClient(await resolutionFor(server.url, ['127.0.0.1']), {
        expect: 'google-genai',
        endpointPolicy: (url) => (asked.push(url.href), !url.pathname.includes('/ws/')),
      });
      const { session, errors } = await connectLive(client, which);
      expect(session).toBeNull();
      expect(errors[0]).toMatchObject({ code: 'ENDPOINT_REFUSED' });
      expect(asked.at(-1)).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/+ws\/google\.ai\.generativelanguage\.v1beta\.GenerativeService\.BidiGenerate(Content|Music)$/,
      );
      expect(JSON.stringify(asked) + String((errors[0] as Error).message)).not.toContain(KEY);
      expect(server.upgrades).toEqual([]);
    },
  );

  it('an allowed endpoint: the session opens through the guard, with the key where the SDK puts it', async () => {
    const client = await liveClient(server.url, ['127.0.0.1']);
    const { session } = await connectLive(client, 'live', 5000);
    expect(session).not.toBeNull();
    expect(server.upgrades).toHaveLength(1);
    expect(server.upgrades[0]!.url).toMatch(
      /^\/+ws\/google\.ai\.generativelanguage\.v1beta\.GenerativeService\.BidiGenerateContent\?key=AIzaSyCANARY/,
    );
  });

  it('an SDK version whose Live APIs byokit cannot reach fails the build instead of leaving a WebSocket unguarded', async () => {
    class UnguardableGenAI {
      live = { connect: async () => undefined };
    }
    provideSdk('@google/genai', { ...genai, GoogleGenAI: UnguardableGenAI });
    try {
      await expect(liveClient(server.url, ['127.0.0.1'])).rejects.toMatchObject({
        code: 'ENDPOINT_REFUSED',
        message: expect.stringContaining('Live API'),
      });
    } finally {
      provideSdk('@google/genai', genai);
    }
  });
});
