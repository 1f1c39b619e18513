import { createServer, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import type Koa from 'koa';
import { answerClientErrors } from './client-errors.js';
import { ConfigError, type CommonConfig } from './env.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (bounded), then runs the cleanup. */
  close(): Promise<void>;
}

export interface ServeOptions {
  app: Koa;
  host: string;
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Runs after the server has closed: quit Redis, stop timers. */
  onClose?: () => Promise<void>;
}

/**
 * On shutdown, how long idle kept-alive connections stay open: by then a peer has had answers
 * saying `Connection: close` and refused connection attempts, and has stopped sending here.
 */
const IDLE_GRACE_MS = 1000;

/**
 * Listens with keep-alive longer than any proxy's idle timeout in front (the gateway's agent
 * drops idle sockets sooner), so a reused connection is never closed under a request.
 */
export async function serve({
  app,
  host,
  port,
  logger,
  shutdownTimeoutMs,
  onClose,
}: ServeOptions): Promise<RunningServer> {
  const handle = app.callback();
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let swept = false;
  // Node answers a Host-less HTTP/1.1 request with a bare 400 of its own; createBaseApp refuses
  // it instead, as JSON with a request id like every other error.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    // Shutting down: every answer closes its connection (see close below).
    if (draining) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    // After the idle sweep, a connection whose answer just ended would hold the shutdown open
    // until SHUTDOWN_TIMEOUT (its `Connection: close` may have been overridden, e.g. by a
    // proxied upstream's own header): it goes as soon as it is idle.
    res.once('finish', () => {
      if (swept) setImmediate(() => server.closeIdleConnections());
    });
    void handle(req, res);
  });
  answerClientErrors(server, logger);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // A peer keeping connections alive (the gateway) would otherwise reuse them for new
      // requests until the timeout cut them off mid-request. Told `Connection: close`, it opens
      // a new connection for its next request, is refused, and turns to another replica.
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
      // Stop accepting, but leave idle kept-alive connections open a moment (http.Server#close
      // would destroy them at once): a request the peer is sending on one right now is answered
      // (with `Connection: close`) instead of being reset, which it could not safely retry.
      NetServer.prototype.close.call(server);
      const sweep = setTimeout(
        () => {
          swept = true;
          server.close();
        },
        Math.min(IDLE_GRACE_MS, shutdownTimeoutMs),
      );
      const force = setTimeout(() => {
        logger.warn('shutdown timeout reached: closing the remaining connections');
        server.closeAllConnections();
      }, shutdownTimeoutMs);
      await closed;
      clearTimeout(sweep);
      clearTimeout(force);
      await onClose?.();
    })();
    return closing;
  };
  return { server, url, close };
}

/** Wires SIGTERM and SIGINT to a clean shutdown that exits 0 (or 1 if cleanup failed). */
export function exitOnSignals(running: RunningServer, logger: Logger): void {
  const stop = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * Runs a service's start function; a failure to start (bad configuration, unreadable key, port in
 * use) is one plain stderr line and exit code 1. No logger exists yet at that point, and the
 * message never holds a secret: ConfigError names variables, not their values.
 */
export function runMain(name: string, start: () => Promise<void>): void {
  Promise.resolve()
    .then(start)
    .catch((err: unknown) => {
      const message =
        err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
      process.stderr.write(`${name} failed to start: ${message}\n`);
      process.exit(1);
    });
}

/** `serve` with a service's common settings, shutting down cleanly on SIGTERM/SIGINT. */
export async function serveService(
  app: Koa,
  config: Pick<CommonConfig, 'host' | 'port' | 'shutdownTimeoutMs'>,
  logger: Logger,
  onClose?: () => Promise<void>,
): Promise<RunningServer> {
  const { host, port, shutdownTimeoutMs } = config;
  const running = await serve({
    app,
    host,
    port,
    logger,
    shutdownTimeoutMs,
    ...(onClose ? { onClose } : {}),
  });
  exitOnSignals(running, logger);
  return running;
}
