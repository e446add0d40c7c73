/**
 * How long a key validation is held, and how much memory it takes, when
 * the endpoint drips its body or floods it: `npm run bench:bounds`.
 *
 * Two local servers stand in for hostile endpoints: one sends its headers
 * and then a byte every 100 ms (ending after DRIP_SECONDS), one sends a
 * FLOOD_MB megabyte answer. Each validation runs through the real SDK of
 * every provider named in PROVIDERS (after a warm-up call, so the SDK's
 * first import is not counted); the script reports wall time and the peak
 * resident memory above the idle baseline measured just before.
 * Runs unchanged against older byokit code (the third argument of
 * runKeyValidation is ignored there), which is how before/after figures
 * are taken.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinProviders, runKeyValidation } from '../src/providers/index.js';

const DRIP_SECONDS = Number(process.env.DRIP_SECONDS ?? 60);
const FLOOD_MB = Number(process.env.FLOOD_MB ?? 256);
const PROVIDERS = (process.env.PROVIDERS ?? 'openai,google').split(',');
const KEYS: Record<string, string> = {
  openai: 'sk-proj-BENCH0000000000000000000000000000bnch',
  google: 'AIzaBENCH00000000000000000000000000bnch',
  anthropic: 'sk-ant-api03-BENCH000000000000000000000000bnch',
  mistral: 'BENCH000000000000000000000000bnch',
  cohere: 'BENCH00000000000000000000000000000000bnch',
  ollama: 'BENCH0000000000000000bnch',
};

function drip(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"data":[');
  const started = Date.now();
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    if (Date.now() - started > DRIP_SECONDS * 1000) {
      clearInterval(timer);
      res.end('], "models": []}');
      return;
    }
    res.write(' ');
  }, 100);
  res.on('close', () => clearInterval(timer));
}

function flood(res: ServerResponse): void {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  res.writeHead(500, { 'content-type': 'application/json' });
  res.write('{"error":{"message":"');
  let sent = 0;
  const pump = () => {
    while (sent < FLOOD_MB && !res.destroyed) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('"}}');
  };
  res.on('error', () => undefined);
  pump();
}

async function serve(handler: (res: ServerResponse) => void): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    handler(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function measure(
  provider: string,
  baseUrl: string,
): Promise<{ seconds: number; peakMb: number; status: string }> {
  (globalThis as { gc?: () => void }).gc?.();
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = process.hrtime.bigint();
  const result = await runKeyValidation(
    builtinProviders[provider]!,
    { apiKey: KEYS[provider]!, baseUrl, model: null, options: {} },
    // The servers are local: allow exactly 127.0.0.1 (ignored by older code, which allowed everything).
    { allowPrivateEndpoints: ['127.0.0.1'] },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    seconds,
    peakMb: (peak - idle) / 1024 / 1024,
    status: `${result.status}${(result as { reason?: string }).reason ? `/${(result as { reason?: string }).reason}` : ''}`,
  };
}

async function main() {
  const ok = await serve((res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[],"models":[]}'),
  );
  const slow = await serve(drip);
  const huge = await serve(flood);
  try {
    console.log(`drip: a byte every 100 ms for up to ${DRIP_SECONDS} s; flood: a ${FLOOD_MB} MB error body`);
    console.log('provider   attack  time (s)  peak RSS above idle (MB)  result');
    for (const provider of PROVIDERS) {
      // Warm-up: the SDK's first import is not the attack's cost.
      await measure(provider, `${ok.url}${provider === 'openai' ? '/v1' : ''}`);
      const base = provider === 'openai' ? '/v1' : '';
      for (const [attack, server] of [
        ['drip', slow],
        ['flood', huge],
      ] as const) {
        const { seconds, peakMb, status } = await measure(provider, `${server.url}${base}`);
        console.log(
          `${provider.padEnd(10)} ${attack.padEnd(7)} ${seconds.toFixed(2).padStart(8)}  ${peakMb.toFixed(1).padStart(24)}  ${status}`,
        );
      }
    }
  } finally {
    ok.close();
    slow.close();
    huge.close();
  }
}

await main();
