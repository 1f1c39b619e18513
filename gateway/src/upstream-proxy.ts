import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, type Logger } from '@toypetme/http-kit';
import { createProxyMiddleware, type Options } from 'http-proxy-middleware';
import { adjustResponseHeaders } from './response-headers.js';

export interface UpstreamProxyOptions {
  /** Service name, used in error messages (`pets`). */
  name: string;
  /** The upstream's origin; the request path is appended unchanged. */
  target: string;
  agent: Agent;
  /** Longest silence from the upstream before the client gets 504 upstream_timeout. */
  timeoutMs: number;
  /** Longest connect before the client gets 502 upstream_unavailable. */
  connectTimeoutMs: number;
  /** Every upstream origin: redirects to them are made relative. */
  internalOrigins: ReadonlySet<string>;
  logger: Logger;
}

/**
 * Proxies one request. Resolves once the response is over (sent, or the client is gone), so the
 * access log sees the final status; rejects with an AppError only while nothing has been sent.
 */
export type Forward = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

interface InFlight {
  resolve: () => void;
  reject: (err: AppError) => void;
  responseStarted: boolean;
  proxyReq?: ClientRequest;
}

class UpstreamTimeout extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
}

class UpstreamConnectTimeout extends Error {
  readonly code = 'UPSTREAM_CONNECT_TIMEOUT';
}

/**
 * Bounds both phases of an upstream request: connecting (502, F06 "stopped") and waiting for
 * bytes once connected (504, F06 "frozen"). The idle timer also covers a body that stalls.
 */
function armTimeouts(proxyReq: ClientRequest, socket: Socket, options: UpstreamProxyOptions): void {
  proxyReq.setTimeout(options.timeoutMs, () => proxyReq.destroy(new UpstreamTimeout('upstream timed out')));
  if (!socket.connecting) return;
  const timer = setTimeout(
    () => proxyReq.destroy(new UpstreamConnectTimeout('upstream connect timed out')),
    options.connectTimeoutMs,
  );
  const clear = (): void => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

function toAppError(err: Error, name: string): AppError {
  if (err instanceof UpstreamTimeout) {
    return new AppError('upstream_timeout', `The ${name} service did not answer in time.`, { cause: err });
  }
  return new AppError('upstream_unavailable', `The ${name} service is unavailable.`, { cause: err });
}

/** A client that left takes its upstream request with it, so nothing waits on a hung upstream. */
function abortWhenClientLeaves(proxyReq: ClientRequest, res: ServerResponse): void {
  res.once('close', () => {
    if (!res.writableFinished) proxyReq.destroy();
  });
}

/** An upstream that dies mid-body must not leave the client waiting for the rest forever. */
function destroyClientOnTruncation(proxyRes: IncomingMessage, res: ServerResponse): void {
  proxyRes.once('close', () => {
    if (!proxyRes.complete) res.destroy();
  });
}

/**
 * An upstream that answered before reading the whole body (a size limit: F26) needs no more of
 * it, and Node stops signalling `drain` once a response is complete, so the rest of the upload
 * would stall the client's connection. Stop forwarding, drop that upstream socket (its framing is
 * unfinished) and drain the client's body so its kept-alive connection stays in step.
 */
function stopUploadOnceAnswered(
  proxyRes: IncomingMessage,
  req: IncomingMessage,
  proxyReq: ClientRequest,
): void {
  proxyRes.once('end', () => {
    if (proxyReq.writableEnded) return;
    req.unpipe(proxyReq);
    proxyReq.destroy();
    req.resume();
  });
}

type InFlightMap = WeakMap<IncomingMessage, InFlight>;

/** Failures before the response started become a JSON 502/504; later ones cut the connection. */
function onError(options: UpstreamProxyOptions, inFlight: InFlightMap) {
  return (err: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket): void => {
    const flight = inFlight.get(req);
    const response = res as ServerResponse;
    options.logger.warn(
      { upstream: options.name, requestId: req.headers['x-request-id'], cause: err.code ?? err.message },
      'upstream request failed',
    );
    if (flight === undefined || flight.responseStarted || response.headersSent || response.destroyed) {
      // Too late for an error body: cutting the connection is the only honest signal.
      response.destroy();
      flight?.resolve();
      return;
    }
    flight.reject(toAppError(err, options.name));
  };
}

type ProxyEvents = NonNullable<Options<IncomingMessage, ServerResponse>['on']>;

function proxyEvents(options: UpstreamProxyOptions, inFlight: InFlightMap): ProxyEvents {
  return {
    proxyReq: (proxyReq, req, res) => {
      const flight = inFlight.get(req);
      if (flight !== undefined) flight.proxyReq = proxyReq;
      if (proxyReq.socket !== null) armTimeouts(proxyReq, proxyReq.socket, options);
      abortWhenClientLeaves(proxyReq, res);
    },
    proxyRes: (proxyRes, req, res) => {
      const flight = inFlight.get(req);
      if (flight !== undefined) flight.responseStarted = true;
      if (flight?.proxyReq !== undefined) stopUploadOnceAnswered(proxyRes, req, flight.proxyReq);
      adjustResponseHeaders(proxyRes, res, options.internalOrigins);
      destroyClientOnTruncation(proxyRes, res);
    },
    error: onError(options, inFlight),
  };
}

export function createUpstreamProxy(options: UpstreamProxyOptions): Forward {
  const inFlight: InFlightMap = new WeakMap();
  const middleware = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: options.target,
    agent: options.agent,
    // Routing, headers and bodies are the gateway's business: nothing is rewritten or buffered.
    xfwd: false,
    changeOrigin: false,
    followRedirects: false,
    // The upstream leg is the agent's pooled connection, whatever the client said about its own
    // (req.headers.connection stays the client's, for http-proxy to mirror in the response).
    headers: { connection: 'keep-alive' },
    on: proxyEvents(options, inFlight),
  });
  return (req, res) =>
    new Promise<void>((resolve, reject) => {
      inFlight.set(req, { resolve, reject, responseStarted: false });
      res.once('close', resolve);
      const fail = (err?: unknown): void =>
        reject(err instanceof Error ? err : new Error('request was not proxied'));
      middleware(req, res, fail).catch(fail);
    });
}
