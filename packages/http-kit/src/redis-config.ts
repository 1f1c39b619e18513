import type { EnvReader } from './env.js';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Credentials for the data nodes of a cluster or of a Sentinel-managed master. */
export interface RedisAuth {
  readonly username?: string;
  readonly password?: string;
}

/**
 * Where the shared store lives. Exactly one of three topologies, chosen by which variable is set:
 * REDIS_URL (one server), REDIS_CLUSTER_NODES (Redis Cluster seeds) or REDIS_SENTINELS with
 * REDIS_SENTINEL_NAME (a master found through Sentinel, followed across failovers).
 */
export type RedisTarget =
  | { readonly mode: 'standalone'; readonly url: string }
  | ({ readonly mode: 'cluster'; readonly nodes: readonly RedisNodeAddress[] } & RedisAuth)
  | ({
      readonly mode: 'sentinel';
      readonly sentinels: readonly RedisNodeAddress[];
      readonly name: string;
      readonly sentinelPassword?: string;
    } & RedisAuth);

export interface RedisSettings {
  /** Unset: no Redis, the services keep their data in memory (development only). */
  readonly redis: RedisTarget | undefined;
  /** REDIS_KEY_PREFIX: the stack's shared prefix; each service adds its own part. */
  readonly redisKeyPrefix: string;
}

/** The variables that choose a topology, for messages ("set one of …"). */
export const REDIS_TOPOLOGY_VARS = 'REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS';

/** `host:port`, `[v6]:port`; undefined when it is neither. */
export function parseNodeAddress(text: string): RedisNodeAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function nodeList(reader: EnvReader, name: string): RedisNodeAddress[] | undefined {
  if (reader.raw(name) === undefined) return undefined;
  const items = reader.list(name);
  const nodes = items.map(parseNodeAddress);
  const bad = items.filter((_, i) => nodes[i] === undefined);
  if (bad.length > 0 || items.length === 0) {
    reader.problem(`${name} must be a comma-separated list of host:port (got "${bad.join(',')}")`);
    return [];
  }
  return nodes as RedisNodeAddress[];
}

function auth(reader: EnvReader): RedisAuth {
  const username = reader.raw('REDIS_USERNAME');
  const password = reader.raw('REDIS_PASSWORD');
  return { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
}

function checkUnused(reader: EnvReader, names: readonly string[], reason: string): void {
  for (const name of names) if (reader.raw(name) !== undefined) reader.problem(`${name} ${reason}`);
}

function readTarget(reader: EnvReader): RedisTarget | undefined {
  const url = reader.redisUrl('REDIS_URL');
  const nodes = nodeList(reader, 'REDIS_CLUSTER_NODES');
  const sentinels = nodeList(reader, 'REDIS_SENTINELS');
  const name = reader.raw('REDIS_SENTINEL_NAME');
  const chosen = [reader.raw('REDIS_URL'), nodes, sentinels].filter((value) => value !== undefined);
  if (chosen.length > 1) reader.problem(`set only one of ${REDIS_TOPOLOGY_VARS}`);
  if (sentinels !== undefined && name === undefined) {
    reader.problem('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the master group name)');
  }
  if (sentinels === undefined) {
    checkUnused(
      reader,
      ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD'],
      'is only used with REDIS_SENTINELS',
    );
  }
  if (url !== undefined || (nodes === undefined && sentinels === undefined)) {
    checkUnused(
      reader,
      ['REDIS_USERNAME', 'REDIS_PASSWORD'],
      'is only used with REDIS_CLUSTER_NODES or REDIS_SENTINELS (REDIS_URL carries its own credentials)',
    );
    return url === undefined ? undefined : { mode: 'standalone', url };
  }
  if (nodes !== undefined) return { mode: 'cluster', nodes, ...auth(reader) };
  const sentinelPassword = reader.raw('REDIS_SENTINEL_PASSWORD');
  return {
    mode: 'sentinel',
    sentinels: sentinels ?? [],
    name: name ?? '',
    ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
    ...auth(reader),
  };
}

/**
 * Reads the Redis topology and the key prefix, the same way in every service. The prefix may not
 * hold `{` or `}`: keys that one atomic operation uses together share a Redis Cluster slot
 * through their own `{…}` hash tag, and a brace in the prefix would take that tag's place.
 */
export function readRedisSettings(reader: EnvReader): RedisSettings {
  const redis = readTarget(reader);
  const redisKeyPrefix = reader.string('REDIS_KEY_PREFIX', 'tpm:');
  if (/[{}]/.test(redisKeyPrefix)) {
    reader.problem('REDIS_KEY_PREFIX must not contain { or } (keys carry their own Redis Cluster hash tags)');
  }
  return Object.freeze({ redis: redis === undefined ? undefined : Object.freeze(redis), redisKeyPrefix });
}

/** A target for logs: where, never the credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (nodes: readonly RedisNodeAddress[]) =>
    nodes.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)).join(',');
  if (target.mode === 'cluster') return `cluster ${list(target.nodes)}`;
  if (target.mode === 'sentinel') return `sentinel ${target.name}@${list(target.sentinels)}`;
  const url = new URL(target.url);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}
