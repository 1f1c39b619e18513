import type { IncomingMessage } from 'node:http';
import type { Logger } from '@toypetme/http-kit';
import type { UpstreamPool } from './upstream-pool.js';
import { UpstreamAttemptError, type Forward } from './upstream-proxy.js';

/** Methods that change nothing (RFC 9110 §9.2.1): sending one twice is harmless. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a failed attempt may be sent to another replica. Only where the upstream cannot have
 * acted on it: no connection was ever made (refused, unreachable, connect timeout), whatever the
 * method, provided every body byte taken from the client so far is known and can be replayed; or
 * a safe method whose connection broke before any response (not a timeout: that one may still be
 * working, and waiting twice as long helps nobody). A POST whose connection broke after it was
 * sent is never retried: the upstream may have acted on it.
 */
export function retryable(err: UpstreamAttemptError, req: IncomingMessage): boolean {
  if (!err.connected) return err.recording !== undefined;
  return SAFE_METHODS.has(req.method ?? '') && !err.timedOut && !req.readableDidRead;
}

/**
 * One route's Forward over its replicas: round-robin over the healthy ones, a replica that could
 * not be connected to is marked down, and a failed attempt is retried once on another healthy
 * replica when that is safe. With one replica this is exactly one attempt, as without replicas.
 */
export function balancedForward(
  pool: UpstreamPool,
  forwards: ReadonlyMap<string, Forward>,
  logger: Logger,
): Forward {
  const attempt = async (origin: string, ...[req, res, options]: Parameters<Forward>): Promise<void> => {
    const forward = forwards.get(origin);
    if (forward === undefined) throw new Error(`no proxy for ${origin}`);
    try {
      await forward(req, res, options);
      pool.markUp(origin);
    } catch (err) {
      if (err instanceof UpstreamAttemptError && !err.connected) pool.markDown(origin, causeOf(err));
      throw err;
    }
  };
  return async (req, res) => {
    const first = pool.pick() ?? pool.origins[0]!;
    try {
      await attempt(first, req, res, { record: pool.origins.length > 1 });
    } catch (err) {
      if (!(err instanceof UpstreamAttemptError)) throw err;
      const second = retryable(err, req) ? pool.pick({ exclude: first, healthyOnly: true }) : undefined;
      if (second === undefined) {
        err.recording?.stop();
        throw err;
      }
      logger.info(
        { upstream: pool.name, from: first, to: second, requestId: req.headers['x-request-id'] },
        'retrying on another replica',
      );
      try {
        await attempt(second, req, res, err.recording === undefined ? {} : { replay: err.recording });
      } finally {
        err.recording?.stop();
      }
    }
  };
}

function causeOf(err: Error): string {
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  return cause?.code ?? cause?.message ?? err.message;
}
