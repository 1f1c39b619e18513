import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPort } from './free-port.js';

/** The redis-server binary (Debian's redis-server package); REDIS_SERVER_BIN overrides. */
export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

const SLOTS = 16384;

export interface RedisProcess {
  port: number;
  child: ChildProcess;
  /** Its output so far, for failure messages. */
  output(): string;
  /** Kills this process alone (by its PID) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** True once the server answers PING (an authentication error is an answer too). */
async function answers(port: number): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    enableReadyCheck: false,
    // RESP2: no HELLO handshake, which a password-protected server would refuse before PING.
    protocol: 2,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return await probe.ping().then(
      () => true,
      (err: Error) => /NOAUTH/.test(err.message),
    );
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Waits until `check` holds, polling; throws with `describe()` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts one throwaway `redis-server` on a free loopback port, persisting nothing, with its files
 * in `dir`. Extra arguments are redis-server options (`--cluster-enabled yes`, `--sentinel`…).
 */
export async function spawnRedisServer(dir: string, args: readonly string[] = []): Promise<RedisProcess> {
  const port = await freeLoopbackPort();
  const child = spawn(
    REDIS_SERVER_BIN,
    [
      ...args,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.on('error', (err) => log.push(`spawn ${REDIS_SERVER_BIN}: ${err.message}`));
  // A test worker that dies still takes its servers along.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const output = (): string => log.join('').slice(-4000);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited(child);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`);
        return answers(port);
      },
      10_000,
      () => `redis-server on port ${port} does not answer: ${output()}`,
    );
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }
  return { port, child, output, stop };
}

export interface RedisClusterOptions {
  /** Masters sharing the 16384 slots (default 3). */
  masters?: number;
  /** Replicas per master (default 0). */
  replicas?: number;
  /** requirepass and masterauth of every node. */
  password?: string;
  /** cluster-node-timeout: how long a silent master counts as alive (default 2000 ms). */
  nodeTimeoutMs?: number;
}

export interface TestRedisCluster {
  /** Seed addresses, as REDIS_CLUSTER_NODES takes them. */
  nodes: { host: string; port: number }[];
  /** `127.0.0.1:a,127.0.0.1:b,…` for REDIS_CLUSTER_NODES. */
  nodesEnv: string;
  servers: RedisProcess[];
  /** Kills every process of the cluster and removes its folder. */
  stop(): Promise<void>;
}

async function onNode<T>(
  port: number,
  password: string | undefined,
  fn: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', ...(password ? { password } : {}), lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

const clusterOk = (port: number, password: string | undefined) => () =>
  onNode(port, password, async (redis) => /cluster_state:ok/.test(String(await redis.cluster('INFO'))));

/** Slot ranges [from, to] splitting the slots evenly over `masters`. */
function slotRanges(masters: number): [number, number][] {
  return Array.from({ length: masters }, (_, i) => [
    Math.floor((i * SLOTS) / masters),
    Math.floor(((i + 1) * SLOTS) / masters) - 1,
  ]);
}

/**
 * A real Redis Cluster of `redis-server` processes on free loopback ports (each with its bus on a
 * second free port). Slots are assigned and the nodes introduced with CLUSTER ADDSLOTSRANGE and
 * CLUSTER MEET, the same steps `redis-cli --cluster create` takes; it resolves once every node
 * reports `cluster_state:ok`.
 */
export async function startRedisCluster({
  masters = 3,
  replicas = 0,
  password,
  nodeTimeoutMs = 2000,
}: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'toypetme-cluster-'));
  const servers: RedisProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const busPorts: number[] = [];
    for (let i = 0; i < masters * (1 + replicas); i += 1) {
      const busPort = await freeLoopbackPort();
      busPorts.push(busPort);
      const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
      servers.push(
        await spawnRedisServer(dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          join(dir, `nodes-${i}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          ...auth,
        ]),
      );
    }
    const ports = servers.map((server) => server.port);
    const ranges = slotRanges(masters);
    await Promise.all(
      ranges.map(([from, to], i) =>
        onNode(ports[i]!, password, (redis) => redis.cluster('ADDSLOTSRANGE', from, to)),
      ),
    );
    await onNode(ports[0]!, password, async (redis) => {
      // The bus is on its own port (cluster-port), so MEET names it.
      for (const [i, port] of ports.entries()) {
        if (i > 0) await redis.call('CLUSTER', 'MEET', '127.0.0.1', port, busPorts[i]!);
      }
    });
    await waitFor(
      async () => (await Promise.all(ports.map((port) => clusterOk(port, password)()))).every(Boolean),
      20_000,
      () => `cluster on ${ports.join(',')} not ok`,
    );
    if (replicas > 0) await attachReplicas(ports, masters, password);
  } catch (err) {
    await stop();
    throw err;
  }
  const nodes = servers.slice(0, masters).map(({ port }) => ({ host: '127.0.0.1', port }));
  return { nodes, nodesEnv: nodes.map(({ host, port }) => `${host}:${port}`).join(','), servers, stop };
}

async function attachReplicas(ports: number[], masters: number, password: string | undefined): Promise<void> {
  const ids = await Promise.all(
    ports.slice(0, masters).map((port) => onNode(port, password, (redis) => redis.cluster('MYID'))),
  );
  await Promise.all(
    ports.slice(masters).map(async (port, i) => {
      // Every node must know the master before it can replicate it.
      await waitFor(
        () =>
          onNode(port, password, async (redis) =>
            String(await redis.cluster('NODES')).includes(String(ids[i % masters])),
          ),
        10_000,
        () => `replica on ${port} does not know its master`,
      );
      await onNode(port, password, (redis) => redis.cluster('REPLICATE', String(ids[i % masters])));
    }),
  );
  await waitFor(
    async () => (await Promise.all(ports.map((port) => clusterOk(port, password)()))).every(Boolean),
    20_000,
    () => 'cluster with replicas not ok',
  );
}

export interface TestRedisSentinel {
  /** The master group name Sentinel watches, for REDIS_SENTINEL_NAME. */
  name: string;
  /** `127.0.0.1:port` of the sentinel, for REDIS_SENTINELS. */
  sentinelsEnv: string;
  sentinels: { host: string; port: number }[];
  master: RedisProcess;
  /** With `replica: true`: a replica of the master, which a failover promotes. */
  replica: RedisProcess | undefined;
  sentinel: RedisProcess;
  stop(): Promise<void>;
}

/** One master watched by one Sentinel (quorum 1), both throwaway processes on loopback ports. */
export async function startRedisSentinel({
  password,
  replica: withReplica = false,
}: { password?: string; replica?: boolean } = {}): Promise<TestRedisSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'toypetme-sentinel-'));
  const name = 'toypetme';
  const started: RedisProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.stop('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const master = await spawnRedisServer(dir, password === undefined ? [] : ['--requirepass', password]);
    started.push(master);
    const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
    const replica = withReplica
      ? await spawnRedisServer(dir, [...auth, '--replicaof', '127.0.0.1', String(master.port)])
      : undefined;
    if (replica !== undefined) started.push(replica);
    // Sentinel rewrites its configuration file, so it gets one of its own.
    const conf = join(dir, 'sentinel.conf');
    const lines = [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      ...(password === undefined ? [] : [`sentinel auth-pass ${name} ${password}`]),
    ];
    await writeFile(conf, `${lines.join('\n')}\n`);
    const sentinel = await spawnRedisServer(dir, [conf, '--sentinel']);
    started.push(sentinel);
    const sentinels = [{ host: '127.0.0.1', port: sentinel.port }];
    return { name, sentinels, sentinelsEnv: `127.0.0.1:${sentinel.port}`, master, replica, sentinel, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
