import { Cluster, Redis, type RedisOptions as IORedisOptions } from 'ioredis';
import type { Logger } from './logger.js';
import type { RedisTarget } from './redis-config.js';

export type { Cluster, Redis };

/**
 * What every store takes: one server (standalone or found through Sentinel, both a `Redis`) or a
 * Redis Cluster. Both speak the same commands; a store's atomic operations (Lua, MULTI, several
 * keys in one command) name only keys of one hash slot, so they run unchanged on a cluster.
 */
export type RedisClient = Redis | Cluster;

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
  // Cluster and Sentinel: no node or no master known right now.
  /Cluster isn't ready|None of startup nodes is available|Failed to refresh slots cache/i,
  // A master just died: its slots still point at it until the cluster promotes a replica.
  /Too many Cluster redirections/i,
  /All sentinels are unreachable|READONLY/i,
];

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE.some((pattern) => pattern.test(err.message));
}

export interface RedisOptions {
  target: RedisTarget;
  logger: Logger;
  /** Bound on every command, so a frozen server gives a fast 503 instead of a hang. */
  commandTimeoutMs?: number;
}

const retryDelay = (attempt: number): number => Math.min(attempt * 200, 2000);

/**
 * Fail fast, in every topology: no offline queue, a per-command and a connect timeout. Commands left unanswered when a connection drops are not
 * sent again after the reconnect: their callers have long had a 503, and a write replayed behind
 * their back is a half-written request.
 */
function failFast(commandTimeoutMs: number) {
  return {
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
  } satisfies IORedisOptions;
}

function connect(target: RedisTarget, commandTimeoutMs: number): RedisClient {
  const common = failFast(commandTimeoutMs);
  if (target.mode === 'standalone') {
    return new Redis(target.url, {
      ...common,
      enableOfflineQueue: false,
      retryStrategy: retryDelay,
      lazyConnect: true,
    });
  }
  const { username, password } = target;
  const credentials = {
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
  if (target.mode === 'sentinel') {
    return new Redis({
      ...common,
      ...credentials,
      sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
      name: target.name,
      ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
      enableOfflineQueue: false,
      // Every reconnect asks the sentinels again, so a failover moves the client to the new
      // master. One round over the sentinels per attempt: when none answers, the attempt fails
      // (instead of waiting inside it) and retryStrategy schedules the next one.
      retryStrategy: retryDelay,
      sentinelRetryStrategy: () => null,
      // Subscribes to the sentinels' +switch-master: after a failover the open connections leave
      // the demoted master at once, instead of writing to it until it resyncs (and drops those
      // writes) as a replica.
      failoverDetector: true,
      lazyConnect: true,
    });
  }
  return new Cluster(
    target.nodes.map(({ host, port }) => ({ host, port })),
    {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryDelay,
      // Writes and the Lua scripts always go to masters; replicas are for failover only.
      scaleReads: 'master',
      slotsRefreshTimeout: commandTimeoutMs,
      lazyConnect: true,
      redisOptions: { ...common, ...credentials },
    },
  );
}

/**
 * A client tuned to fail fast: no offline queue (a command while disconnected errors at once),
 * a per-command timeout, and endless background reconnects so service resumes without a restart.
 * Commands left unanswered when a connection drops are not sent again after the reconnect: their
 * callers have long had a 503, and a write replayed behind their back is a half-written request.
 */
export function createRedis({ target, logger, commandTimeoutMs = 2000 }: RedisOptions): RedisClient {
  const client = connect(target, commandTimeoutMs);
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
export async function connectRedis(client: RedisClient, logger: Logger): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    // Not fatal: the client keeps retrying and /readyz reports the outage meanwhile.
    logger.warn({ err: (err as Error).message }, 'redis not reachable at start; retrying in the background');
  }
}

/**
 * For a part that cannot start without Redis (auth: its signing keys live there). Waits up to
 * `withinMs` for the client to become ready, saying once that it waits, then fails naming the
 * target and the last connection error (not the first command's "Stream isn't writeable").
 */
export async function waitForRedis(
  client: RedisClient,
  target: string,
  logger: Logger,
  withinMs: number,
): Promise<void> {
  if (client.status === 'ready') return;
  let lastError = 'no answer';
  const onError = (err: Error): void => {
    lastError = err.message;
  };
  client.on('error', onError);
  logger.warn({ redis: target, withinMs }, 'waiting for redis: this part cannot start without it');
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      timer = setTimeout(() => {
        client.removeListener('ready', resolve);
        reject(new Error(`Redis at ${target} did not answer within ${withinMs / 1000} s (${lastError})`));
      }, withinMs);
    });
  } finally {
    clearTimeout(timer);
    client.removeListener('error', onError);
  }
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The servers holding data: every master of a cluster, else the one server. */
export function dataNodes(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/**
 * A readiness check: resolves when the server answers PING; for a cluster, when every master
 * that serves slots is connected and answers, and the cluster says its state is ok. ioredis drops
 * a master it lost from its node list, and the cluster only marks it failed after its node
 * timeout: so the masters are counted from the slot map, not from the client's list.
 */
export async function pingRedis(client: RedisClient): Promise<void> {
  const answers = await Promise.all(dataNodes(client).map((node) => node.ping()));
  if (answers.length === 0 || answers.some((answer) => answer !== 'PONG')) {
    throw new Error('unexpected PING answer');
  }
  if (isCluster(client)) {
    const known = new Set(dataNodes(client).map((node) => `${node.options.host}:${node.options.port}`));
    // Each slot range lists its master first, then its replicas.
    const serving = new Set(
      (await client.cluster('SLOTS')).flatMap(([, , master]) =>
        master === undefined ? [] : [`${master[0]}:${master[1]}`],
      ),
    );
    const lost = [...serving].filter((address) => !known.has(address));
    if (lost.length > 0) throw new Error(`cluster master unreachable: ${lost.join(', ')}`);
    const info = String(await client.cluster('INFO'));
    if (!/cluster_state:ok/.test(info)) throw new Error('cluster state is not ok');
  }
}

/** Every key matching a SCAN pattern, from every data node (tests and tooling; never on a request path). */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of dataNodes(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/**
 * Deletes every key matching a SCAN pattern (tests and tooling only). One key per command: keys
 * of different slots cannot share one UNLINK on a cluster.
 */
export async function deleteKeys(client: RedisClient, pattern: string): Promise<number> {
  const keys = await scanKeys(client, pattern);
  const deleted = await Promise.all(keys.map((key) => client.unlink(key)));
  return deleted.reduce((sum, count) => sum + count, 0);
}

/** Deletes every key under a prefix (tests and tooling only). */
export function deleteByPrefix(client: RedisClient, prefix: string): Promise<number> {
  return deleteKeys(client, `${prefix}*`);
}

/**
 * Quits politely, but drops the connection if the server has not answered within `timeoutMs`
 * (crashed or frozen): a shutdown must not wait out the command timeout.
 */
export async function closeRedis(client: RedisClient, timeoutMs = 500): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([
    client.quit().then(
      () => undefined,
      () => undefined,
    ),
    late,
  ]);
  clearTimeout(timer);
  client.disconnect();
}
