import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { respond, type SeenRequest } from './upstream-modes.js';

export type { Echo, SeenRequest } from './upstream-modes.js';

export interface UpstreamOptions {
  /** Suppress Node's `Keep-Alive: timeout=N` hint, as a proxy or another stack might. */
  withoutKeepAliveHint?: boolean;
  /**
   * Drop, without an answer, a request arriving on a connection that sat idle longer than this:
   * the worst case of the keep-alive race (the upstream closing just as a request goes out, F08).
   */
  dropsIdleAfterMs?: number;
  /** Read each request whole, then reset the connection without answering (a crash mid-request). */
  resetsEveryRequest?: boolean;
  /** Listen on this port (a replica coming back where it was); default a free one. */
  port?: number;
}

export interface TestUpstream {
  name: string;
  url: string;
  server: Server;
  /** Every request that arrived complete, in order. */
  seen: SeenRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  /** URLs of requests whose client (the gateway) went away before the response finished. */
  abandoned: string[];
  /** Status `/healthz` answers with. */
  healthStatus: number;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A loopback upstream that echoes what reached it and can misbehave on request (`x-test-mode`). */
export async function startUpstream(name: string, options: UpstreamOptions = {}): Promise<TestUpstream> {
  const extra: Record<string, string> = options.withoutKeepAliveHint ? { connection: 'keep-alive' } : {};
  const upstream: TestUpstream = {
    name,
    url: '',
    server: createServer(),
    seen: [],
    connections: 0,
    abandoned: [],
    healthStatus: 200,
    close: () =>
      new Promise<void>((resolve) => {
        upstream.server.closeAllConnections();
        upstream.server.close(() => resolve());
      }),
  };
  upstream.server.keepAliveTimeout = 65_000; // as the services (http-kit serve)
  upstream.server.on('connection', () => upstream.connections++);
  const idleSince = new WeakMap<Socket, number>();
  upstream.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { socket } = req;
    if (Date.now() - (idleSince.get(socket) ?? Date.now()) > (options.dropsIdleAfterMs ?? Infinity)) {
      socket.destroy();
      return;
    }
    if (req.headers['x-test-mode'] === 'early-413') {
      // Answers before reading the body, as a size limit does (F26 through the gateway).
      const close = req.headers['x-test-close'] === 'yes' ? { connection: 'close' } : {};
      res
        .writeHead(413, { 'content-type': 'application/json', ...close })
        .end('{"error":"payload_too_large"}');
      return;
    }
    res.on('close', () => {
      if (!res.writableFinished) upstream.abandoned.push(req.url ?? '');
      idleSince.set(socket, Date.now());
    });
    readBody(req).then(
      (body) => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        upstream.seen.push(seen);
        if (options.resetsEveryRequest === true && seen.url !== '/healthz') {
          socket.resetAndDestroy();
          return;
        }
        respond(upstream, seen, res, { ...extra });
      },
      () => undefined, // the gateway gave up mid-upload: nothing to answer
    );
  });
  await new Promise<void>((resolve) => upstream.server.listen(options.port ?? 0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
  return upstream;
}

/** The URL of a loopback port nobody listens on: connections are refused (F06 "stopped"). */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
