/**
 * A local stand-in for a provider API: node:http on 127.0.0.1, port 0.
 * Records every request and answers from a handler the test sets.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkPolicy } from '../../src/net/endpoint-policy.js';
import { createTransport, type Transport } from '../../src/net/transport.js';

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/models?limit=1`. */
  url: string;
  /** Path without query string. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeResponse {
  status?: number;
  /** Serialised as JSON unless a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (request: RecordedRequest) => FakeResponse;

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler (e.g. to answer 401 for one test). */
  respond(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeServer(handler: FakeHandler = () => ({ status: 200, body: {} })): Promise<FakeServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url,
        path: url.split('?')[0] ?? url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      let answer: FakeResponse;
      try {
        answer = current(recorded);
      } catch (error) {
        answer = { status: 500, body: { error: String(error) } };
      }
      const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port just released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * The opt-in for these servers: they listen on 127.0.0.1, a loopback
 * address the default endpoint policy refuses (a key never travels to one
 * unless the host allows it). Tests allow exactly that address.
 */
export const LOCAL_ENDPOINTS = { allowPrivateEndpoints: ['127.0.0.1'] } as const;

/** A guarded transport that allows the local fake servers, for calling a descriptor directly. */
export function localTransport(provider = 'test'): Transport {
  return createTransport({
    policy: networkPolicy(LOCAL_ENDPOINTS),
    request: { tenantId: 'acme', provider, action: 'request' },
  });
}
