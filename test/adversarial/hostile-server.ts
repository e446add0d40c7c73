/**
 * A local HTTP server that misbehaves on purpose: it redirects, drips a
 * body, sends gigabytes, echoes the key. Each test sets the handler; the
 * server records every request and counts the body bytes it wrote.
 * Plain node:http on 127.0.0.1, no byokit imports, so the attack files run
 * unchanged against older byokit code.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export type HostileHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface HostileServer {
  /** `http://<host>:<port>` */
  url: string;
  hits: Hit[];
  /** Body bytes written so far (all responses). */
  bytesWritten(): number;
  handle(handler: HostileHandler): void;
  close(): Promise<void>;
}

/** Starts a server on `host` (default 127.0.0.1; 127.0.0.2 is a loopback address the attack vaults do not allow). */
export async function startHostileServer(
  handler: HostileHandler = (_req, res) => res.end('{}'),
  host = '127.0.0.1',
): Promise<HostileServer> {
  let current = handler;
  const hits: Hit[] = [];
  let written = 0;
  const server = createServer((req, res) => {
    hits.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) written += Buffer.byteLength(chunk as string);
      return write(chunk, ...rest);
    }) as typeof res.write;
    req.resume();
    req.on('end', () => current(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    hits,
    bytesWritten: () => written,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with `status`. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Sends `status` headers at once, then one byte every `everyMs` until the client goes away. */
export function drip(res: ServerResponse, status = 200, everyMs = 50): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.write('{"data":[');
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) return clearInterval(timer);
    res.write(' ');
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/**
 * Streams `totalBytes` of a JSON array (chunked, no content-length unless
 * `declareLength`), respecting back-pressure, until done or the client goes away.
 */
export function flood(res: ServerResponse, totalBytes: number, status = 200, declareLength = false): void {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(declareLength ? { 'content-length': String(totalBytes) } : {}),
  });
  let sent = 0;
  const pump = () => {
    while (sent < totalBytes && !res.destroyed) {
      const piece = sent + chunk.length <= totalBytes ? chunk : chunk.subarray(0, totalBytes - sent);
      sent += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => undefined);
  pump();
}

export interface WebSocketServer {
  /** `ws://127.0.0.1:<port>` as `http://...` (what a base URL names). */
  url: string;
  /** Every upgrade request: its path with query (where SDKs put the key) and headers. */
  upgrades: Hit[];
  close(): Promise<void>;
}

/**
 * A WebSocket endpoint on 127.0.0.1 (plain node:http, RFC 6455 handshake):
 * records each upgrade request, completes the handshake and, once the
 * client sent its first frame, sends each of `messages` as a text frame.
 */
export async function startWebSocketServer(messages: readonly string[] = []): Promise<WebSocketServer> {
  const upgrades: Hit[] = [];
  const sockets = new Set<{ destroy(): void }>();
  const server = createServer((_req, res) => res.writeHead(426).end());
  server.on('upgrade', (req, socket) => {
    sockets.add(socket);
    upgrades.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    // Answer the client's first frame (a Live session's setup), as a real endpoint does.
    socket.once('data', () => {
      for (const message of messages) {
        const payload = Buffer.from(message);
        if (payload.length > 125) throw new Error('test frames stay short');
        socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    upgrades,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
