/**
 * What the outcome loop costs a call: `npm run bench:outcomes`.
 *
 * The real `openai` SDK calls a local server through clients built by
 * `createClient` from two vaults: one with `onUsage` and key health on
 * (tracked: every response observed, its usage read from the body), one
 * without (untracked: the plain guarded transport). Non-streaming and
 * streaming (`stream_options.include_usage`), each measured in rounds that
 * alternate which client goes first; the figure is the ratio tracked /
 * untracked per round, reported as the median with the spread (min-max)
 * over the rounds, beside the median µs per call of each. Both calls do
 * the same network round trip, so the ratio is the observer's share.
 * A third row answers in-process (a host `fetch` returning a streamed
 * body, no socket): what is left is the observer's CPU cost alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenAI } from 'openai';
import { Keyring, MemoryStore, createClient, createVault } from '../src/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CALLS = Number(process.env.BENCH_CALLS ?? 40);
const KEY = 'sk-proj-BENCH000000000000000000000000000000000000bnch';

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'A short answer of about the usual size. '.repeat(12), refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 42, completion_tokens: 120, total_tokens: 162 },
});
const streamed = (() => {
  let text = '';
  for (let i = 0; i < 60; i++) {
    text += `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'token ' }, finish_reason: null }], usage: null })}\n\n`;
  }
  text += `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 42, completion_tokens: 60, total_tokens: 102 } })}\n\ndata: [DONE]\n\n`;
  return text;
})();

async function main() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const stream = body.includes('"stream":true');
      res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
      res.end(stream ? streamed : completion);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;

  let outcomes = 0;
  const bytes = new TextEncoder().encode(completion);
  const inProcess = async () =>
    new Response(
      new ReadableStream({
        start: (controller) => {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
      {
        headers: { 'content-type': 'application/json' },
      },
    );
  const clients: Record<'tracked' | 'untracked', OpenAI> = {} as never;
  const local: Record<'tracked' | 'untracked', OpenAI> = {} as never;
  for (const kind of ['tracked', 'untracked'] as const) {
    const vault = createVault({
      store: new MemoryStore(),
      keyring: Keyring.generate(),
      allowPrivateEndpoints: ['127.0.0.1'],
      ...(kind === 'tracked' ? { onUsage: () => void outcomes++, keyHealth: true } : {}),
    });
    const admin = vault.as({ tenantId: 'acme', actor: { id: 'bench', role: 'owner' } });
    const cfg = await admin.createConfig({ name: 'bench', provider: 'openai', baseUrl });
    await admin.setKey(cfg.id, KEY);
    const r = await vault.resolve({ tenantId: 'acme', provider: 'openai' });
    clients[kind] = await createClient(r, { expect: 'openai', clientOptions: { maxRetries: 0 } });
    local[kind] = await createClient(r, { expect: 'openai', clientOptions: { maxRetries: 0, fetch: inProcess } });
  }

  const messages = [{ role: 'user' as const, content: 'Hello' }];
  const json = async (client: OpenAI) => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
  };
  const calls: Record<string, [typeof clients, (client: OpenAI) => Promise<void>]> = {
    'chat completion (JSON)': [clients, json],
    'chat completion (stream, 62 events)': [
      clients,
      async (client: OpenAI) => {
        const stream = await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages,
          stream: true,
          stream_options: { include_usage: true },
        });
        for await (const _chunk of stream) void _chunk;
      },
    ],
    'chat completion (JSON, answered in-process: CPU only)': [local, json],
  };

  const time = async (client: OpenAI, call: (client: OpenAI) => Promise<void>) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) await call(client);
    return Number(process.hrtime.bigint() - start) / CALLS / 1000;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  console.log(
    `byokit outcome loop overhead (node ${process.version}; ${ROUNDS} rounds of ${CALLS} calls each, after a warm-up round)\n`,
  );
  console.log('| call | untracked µs/call | tracked µs/call | tracked / untracked: median | spread (min-max) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, [pair, call]] of Object.entries(calls)) {
    const tracked: number[] = [];
    const untracked: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      // Alternate who goes first, so neither always runs on a warmer process.
      const order = round % 2 === 0 ? (['tracked', 'untracked'] as const) : (['untracked', 'tracked'] as const);
      const result: Record<string, number> = {};
      for (const kind of order) result[kind] = await time(pair[kind], call);
      if (round === 0) continue;
      tracked.push(result.tracked!);
      untracked.push(result.untracked!);
      ratios.push(result.tracked! / result.untracked!);
    }
    const spread = `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
    console.log(
      `| ${name} | ${median(untracked).toFixed(1)} | ${median(tracked).toFixed(1)} | ${median(ratios).toFixed(3)} | ${spread} |`,
    );
  }
  console.log(`\n(${outcomes} outcomes observed by the tracked vault)`);
  server.close();
}

await main();
