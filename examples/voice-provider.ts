/**
 * A host-registered, non-LLM keyed service: a text-to-speech API whose
 * client is a few lines of `fetch`. Register a descriptor, let tenants store
 * their key, resolve, build: the same path as the built-in LLM providers.
 *
 * Offline: a local HTTP server stands in for the voice API.
 * Run: npx tsx examples/voice-provider.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVault, Keyring, MemoryStore } from '../src/index.js';
import {
  checkKeyShape,
  createClient,
  liveCheck,
  ProviderHttpError,
  type ProviderDescriptor,
} from '../src/providers/index.js';

// ---------------------------------------------------------------------------
// 1. The service's client and descriptor (what a host writes once).

/** What the host's code uses: the tenant's key is inside, never visible to it. */
interface VoiceClient {
  /** Synthesises `text` and returns the audio bytes. */
  speak(text: string, voice?: string): Promise<Uint8Array>;
}

// Typed `createClient(r, 'voice')` in the host's code.
declare module '../src/providers/index.js' {
  interface ProviderClients {
    voice: VoiceClient;
  }
}

const voiceProvider: ProviderDescriptor<VoiceClient> = {
  id: 'voice',
  label: 'Acme Voice',
  keyPrefixes: ['av_'],
  defaultBaseUrl: 'https://api.acme-voice.example',
  checkKeyFormat: (key) => checkKeyShape(key, { label: 'Acme Voice', minLength: 24, requiredPrefixes: ['av_'] }),
  async createClient({ apiKey, baseUrl, transport }) {
    const base = baseUrl ?? 'https://api.acme-voice.example';
    // byokit's guarded fetch: every URL passes the endpoint policy, no redirect is followed.
    const send = transport?.fetch ?? fetch;
    return {
      async speak(text, voice = 'alloy') {
        const response = await send(`${base}/v1/speech`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text, voice }),
        });
        if (!response.ok) throw new ProviderHttpError(response.status, await response.text());
        return new Uint8Array(await response.arrayBuffer());
      },
    };
  },
  // The cheapest call that proves the key: list voices. Thrown errors become
  // typed, scrubbed results (invalid_key, rate_limited, unreachable ...).
  // Through `transport.fetch`, the check is also bounded in time and size.
  validateKey: ({ apiKey, baseUrl, transport }) =>
    liveCheck(apiKey, async () => {
      const response = await (transport?.fetch ?? fetch)(`${baseUrl ?? 'https://api.acme-voice.example'}/v1/voices`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      if (!response.ok) throw new ProviderHttpError(response.status, await response.text());
      return { status: 'valid' };
    }),
};

// ---------------------------------------------------------------------------
// 2. A stand-in for the voice API, so the example runs offline.

const TENANT_KEY = 'av_live_4f8c2d9e1b7a6c3f5e0d8b2a';

const fakeVoiceApi = createServer((req, res) => {
  if (req.headers.authorization !== `Bearer ${TENANT_KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid api key"}');
    return;
  }
  if (req.method === 'GET' && req.url === '/v1/voices') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"voices":["alloy"]}');
    return;
  }
  if (req.method === 'POST' && req.url === '/v1/speech') {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.from('RIFF....WAVEfmt ')));
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => fakeVoiceApi.listen(0, '127.0.0.1', resolve));
const voiceApiUrl = `http://127.0.0.1:${(fakeVoiceApi.address() as AddressInfo).port}`;

// ---------------------------------------------------------------------------
// 3. The host: register, store the tenant's key, resolve, build, call.

try {
  const providers = { voice: voiceProvider };
  // The stand-in API listens on 127.0.0.1: a loopback address, which keys may
  // only travel to when the host opts in (by default only public addresses).
  const vault = createVault({
    store: new MemoryStore(),
    keyring: Keyring.generate(),
    providers,
    allowPrivateEndpoints: ['127.0.0.1'],
  });

  const admin = vault.as({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
  const config = await admin.createConfig({ name: 'voice-prod', provider: 'voice', baseUrl: voiceApiUrl });
  const view = await admin.setKey(config.id, TENANT_KEY);
  console.log(`stored key ${view.keyHint}`);

  const validation = await admin.validateKey(config.id);
  console.log(`validation: ${validation.status}`);

  const resolution = await vault.resolve({ tenantId: 'acme', provider: 'voice' });
  const voice = await createClient(resolution, { expect: 'voice', providers }); // VoiceClient
  const audio = await voice.speak('Hello from the tenant’s own voice key.');
  console.log(`synthesised ${audio.byteLength} bytes of audio with source=${resolution.source}`);

  if (validation.status !== 'valid' || audio.byteLength === 0) process.exitCode = 1;
} finally {
  fakeVoiceApi.closeAllConnections();
  fakeVoiceApi.close();
}
