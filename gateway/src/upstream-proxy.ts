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

/** How one attempt at an upstream goes (see upstream-balancer.ts). */
export interface Attempt {
  /**
   * Record the request body bytes taken from the client while the connection is still being
   * made, so that a refused connection can be retried on another replica with the same body.
   */
  record?: boolean;
  /** What an earlier, refused attempt recorded: sent first, then the rest of the body. */
  replay?: BodyRecording;
}

/**
 * Proxies one request. Resolves once the response is over (sent, or the client is gone), so the
 * access log sees the final status; rejects with an UpstreamAttemptError only while nothing has
 * been sent.
 */
export type Forward = (req: IncomingMessage, res: ServerResponse, attempt?: Attempt) => Promise<void>;

/** A failed attempt, with what a retry elsewhere needs to know. */
export class UpstreamAttemptError extends AppError {
  constructor(
    appError: AppError,
    /** Whether a connection to the upstream was made (else the upstream got nothing at all). */
    readonly connected: boolean,
    /** The upstream went silent past UPSTREAM_TIMEOUT. */
    readonly timedOut: boolean,
    /**
     * Every body byte taken from the client so far, still recording (for a retry to replay);
     * undefined when that is not known exactly. Whoever gets it must take() or stop() it.
     */
    readonly recording: BodyRecording | undefined,
  ) {
    super(appError.code, appError.message, { cause: appError.cause, headers: appError.headers });
  }
}

/** More than this arriving while a connection is being made is not kept for a retry. */
const MAX_RECORDED_BYTES = 1024 * 1024;

/**
 * The body bytes taken from the client, recorded alongside http-proxy's pipe. It starts on the
 * request's `socket` event, which Node emits before the pipe first reads (`readableDidRead` tells
 * when that did not hold: then it is not complete). It keeps recording after a refused attempt,
 * while the client's stream may still flow, until the retry takes the bytes at its own `socket`
 * event, just before its pipe first reads, so no byte is lost or sent twice.
 */
export class BodyRecording {
  private chunks: Buffer[] = [];
  private size = 0;
  complete: boolean;
  private readonly onData = (chunk: Buffer): void => {
    this.size += chunk.length;
    if (this.size > MAX_RECORDED_BYTES) {
      this.complete = false;
      this.stop();
    } else this.chunks.push(chunk);
  };

  constructor(private readonly req: IncomingMessage) {
    this.complete = !req.readableDidRead;
    if (this.complete) req.on('data', this.onData);
  }

  stop(): void {
    this.req.off('data', this.onData);
    if (!this.complete) this.chunks = [];
  }

  /** Stops and gives every recorded byte. */
  take(): Buffer {
    this.stop();
    const bytes = Buffer.concat(this.chunks);
    this.chunks = [];
    return bytes;
  }
}

interface InFlight {
  resolve: () => void;
  reject: (err: UpstreamAttemptError) => void;
  settled: boolean;
  attempt: Attempt;
  responseStarted: boolean;
  connected: boolean;
  recording?: BodyRecording;
  proxyReq?: ClientRequest;
}

class UpstreamTimeout extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(
    message: string,
    /** Body bytes were waiting for the upstream to read them: its silence, not the client's. */
    readonly bodyHeldBack: boolean,
  ) {
    super(message);
  }
}

class UpstreamConnectTimeout extends Error {
  readonly code = 'UPSTREAM_CONNECT_TIMEOUT';
}

/**
 * Bounds both phases of an upstream request: connecting (502, F06 "stopped") and waiting for
 * bytes once connected (504, F06 "frozen"). The idle timer also covers a body that stalls.
 */
function armTimeouts(proxyReq: ClientRequest, socket: Socket, options: UpstreamProxyOptions): void {
  proxyReq.setTimeout(options.timeoutMs, () =>
    proxyReq.destroy(new UpstreamTimeout('upstream timed out', proxyReq.writableNeedDrain)),
  );
  if (!socket.connecting) return;
  const timer = setTimeout(
    () => proxyReq.destroy(new UpstreamConnectTimeout('upstream connect timed out')),
    options.connectTimeoutMs,
  );
  const clear = (): void => clearTimeout(timer);
  socket.once('connect', clear);
  socket.once('close', clear);
}

/**
 * The upstream went silent while the gateway was waiting for the rest of the client's body: the
 * client stalled. A body held back because the upstream stopped reading it is the upstream's
 * silence, not the client's.
 */
function clientStalled(err: Error, req: IncomingMessage): boolean {
  return err instanceof UpstreamTimeout && !err.bodyHeldBack && !req.complete;
}

function toAppError(err: Error, name: string, stalled: boolean): AppError {
  if (stalled) {
    // The rest of that body may still come: the connection cannot carry another request.
    return new AppError('request_timeout', 'The request body did not arrive in time.', {
      cause: err,
      headers: { Connection: 'close' },
    });
  }
  if (err instanceof UpstreamTimeout) {
    return new AppError('upstream_timeout', `The ${name} service did not answer in time.`, { cause: err });
  }
  return new AppError('upstream_unavailable', `The ${name} service is unavailable.`, { cause: err });
}

/** The body recorded by a failed attempt that never connected, if it is complete. */
function recordingOf(flight: InFlight, req: IncomingMessage): BodyRecording | undefined {
  const recording = flight.recording ?? (flight.attempt.record === true ? new BodyRecording(req) : undefined);
  if (flight.connected || recording?.complete !== true) {
    recording?.stop();
    return undefined;
  }
  return recording;
}

/**
 * A fresh connection: until it is made, the body bytes passing through are recorded (when asked
 * to), so a refused connection can be retried elsewhere with the same body.
 */
function watchConnect(flight: InFlight, req: IncomingMessage, socket: Socket): void {
  flight.connected = !socket.connecting;
  if (flight.connected) return;
  if (flight.attempt.record === true) flight.recording = new BodyRecording(req);
  socket.once('connect', () => {
    flight.connected = true;
    flight.recording?.stop();
    flight.recording = undefined;
  });
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
    // A request that already moved on to another replica: this attempt's late echo of the
    // client's own error, nothing to answer here.
    if (flight?.settled === true && !flight.responseStarted) return;
    const fields = {
      upstream: options.name,
      requestId: req.headers['x-request-id'],
      cause: err.code ?? err.message,
    };
    const stalled = clientStalled(err, req);
    if (stalled) options.logger.info(fields, 'client body stalled');
    else options.logger.warn(fields, 'upstream request failed');
    if (flight === undefined || flight.responseStarted || response.headersSent || response.destroyed) {
      // Too late for an error body: cutting the connection is the only honest signal.
      response.destroy();
      flight?.resolve();
      return;
    }
    flight.reject(
      new UpstreamAttemptError(
        toAppError(err, options.name, stalled),
        flight.connected,
        err instanceof UpstreamTimeout,
        recordingOf(flight, req),
      ),
    );
  };
}

type ProxyEvents = NonNullable<Options<IncomingMessage, ServerResponse>['on']>;

function proxyEvents(options: UpstreamProxyOptions, inFlight: InFlightMap): ProxyEvents {
  return {
    proxyReq: (proxyReq, req, res) => {
      const flight = inFlight.get(req);
      if (flight !== undefined) {
        flight.proxyReq = proxyReq;
        // Written before the pipe's first read (see BodyRecording), so the bytes keep their order.
        const { replay } = flight.attempt;
        // Never a partial body: one that outgrew the recording fails as a 502 instead.
        if (replay?.complete === false) proxyReq.destroy(new Error('request body could not be replayed'));
        const bytes = replay?.take();
        if (bytes !== undefined && bytes.length > 0) proxyReq.write(bytes);
        if (proxyReq.socket !== null) watchConnect(flight, req, proxyReq.socket);
      }
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
  return (req, res, attempt = {}) =>
    new Promise<void>((resolve, reject) => {
      const flight: InFlight = {
        resolve: () => {
          flight.settled = true;
          resolve();
        },
        reject: (err) => {
          flight.settled = true;
          reject(err);
        },
        settled: false,
        attempt,
        responseStarted: false,
        connected: false,
      };
      inFlight.set(req, flight);
      res.once('close', flight.resolve);
      const fail = (err?: unknown): void =>
        reject(err instanceof Error ? err : new Error('request was not proxied'));
      middleware(req, res, fail).catch(fail);
    });
}
