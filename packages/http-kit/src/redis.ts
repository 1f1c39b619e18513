import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export type { Redis };

/**
 * Messages ioredis gives when the server cannot be reached or does not answer in time. Such
 * failures become 503 service_unavailable (CONTRACT "Failure and abuse"), never 401 or 500.
 */
const UNAVAILABLE = [
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Command timed out/i,
  /max retries per request/i,
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE/,
  /LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN/,
];

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE.some((pattern) => pattern.test(err.message));
}

export interface RedisOptions {
  url: string;
  logger: Logger;
  /** Bound on every command, so a frozen server gives a fast 503 instead of a hang. */
  commandTimeoutMs?: number;
}

/**
 * A client tuned to fail fast: no offline queue (a command while disconnected errors at once),
 * a per-command timeout, and endless background reconnects so service resumes without a restart.
 * Commands left unanswered when a connection drops are not sent again after the reconnect: their
 * callers have long had a 503, and a write replayed behind their back is a half-written request.
 */
export function createRedis({ url, logger, commandTimeoutMs = 2000 }: RedisOptions): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: true,
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message }, 'redis unavailable');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info('redis available again');
    down = false;
  });
  return client;
}

/** Connects, waiting for the server at start so the first requests do not fail needlessly. */
export async function connectRedis(client: Redis, logger: Logger): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    // Not fatal: the client keeps retrying and /readyz reports the outage meanwhile.
    logger.warn({ err: (err as Error).message }, 'redis not reachable at start; retrying in the background');
  }
}

/** A readiness check: resolves when the server answers PING. */
export async function pingRedis(client: Redis): Promise<void> {
  const answer = await client.ping();
  if (answer !== 'PONG') throw new Error('unexpected PING answer');
}

/** Deletes every key under a prefix (tests and tooling only; never used on a request path). */
export async function deleteByPrefix(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Quits politely, or drops the connection when the server cannot be reached (shutdown path). */
export async function closeRedis(client: Redis): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}
