import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/**
 * The signing algorithm the whole suite runs with: vitest's e2e projects run it once per
 * algorithm (E2E_JWT_ALG = RS256, ES256, EdDSA); a test's own `env` still wins.
 */
export const SUITE_ALG = process.env.E2E_JWT_ALG ?? 'RS256';

export type PartName = 'auth' | 'pets' | 'gateway';

/** The parts that may run as several replicas behind the gateway. */
export type ReplicatedPart = 'auth' | 'pets';

const ENTRY: Record<PartName, string> = {
  auth: 'services/auth/dist/main.js',
  pets: 'services/pets/dist/main.js',
  gateway: 'gateway/dist/main.js',
};

export interface StackOptions {
  /** Real Redis for auth and pets; unset: their in-memory stores. */
  redisUrl?: string;
  /** Extra environment for every part (e.g. JWT_EXPIRATION). */
  env?: Record<string, string>;
  /**
   * How many processes of auth and of pets to start (default 1 each); the gateway gets them all
   * in AUTH_URL / PETS_URL. With several auths, pets fetch the JWKS through the gateway.
   */
  replicas?: Partial<Record<ReplicatedPart, number>>;
}

export interface Stack {
  gatewayUrl: string;
  urls: Record<PartName, string>;
  redisKeyPrefix: string;
  /** The environment every part was started with (e.g. to run `npm run keys` against this stack). */
  env: Readonly<Record<string, string>>;
  /** Output of each part so far, for failure messages. */
  output(name: PartName): string;
  stop(name: PartName, signal?: NodeJS.Signals): Promise<number | null>;
  start(name: PartName): Promise<void>;
  /** Sends a signal to a running part and leaves it running (SIGSTOP freezes it, SIGCONT thaws). */
  signal(name: PartName, signal: NodeJS.Signals): void;
  close(): Promise<void>;
  /** Every replica's URL; replica 0 is `urls.auth` / `urls.pets`. */
  replicaUrls: Record<ReplicatedPart, string[]>;
  /** Stops replica `index` of a part (0 is what `stop(part)` stops). */
  stopReplica(part: ReplicatedPart, index: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts replica `index` again, on its port, and waits until it answers. */
  startReplica(part: ReplicatedPart, index: number): Promise<void>;
  /** Everything replica `index` of a part (or the gateway) printed so far, not only the tail. */
  fullOutput(part: PartName, index?: number): string;
}

/** Replica 0 of a part is the part itself; others are `auth#1`, `pets#2`, …. */
type ProcessKey = PartName | `${ReplicatedPart}#${number}`;

const keyOf = (part: PartName, index: number): ProcessKey =>
  index === 0 ? part : `${part as ReplicatedPart}#${index}`;

async function extraPorts(count: number | undefined): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 1; i < (count ?? 1); i += 1) ports.push(await freePort());
  return ports;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready within ${timeoutMs} ms:\n${output()}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Starts the real auth, pets and gateway processes from their compiled output on free loopback
 * ports, wired to each other as `npm start` wires them, and waits until each answers.
 */
export async function startStack({ redisUrl, env = {}, replicas = {} }: StackOptions = {}): Promise<Stack> {
  const ports = { auth: await freePort(), pets: await freePort(), gateway: await freePort() };
  const urls = {
    auth: `http://127.0.0.1:${ports.auth}`,
    pets: `http://127.0.0.1:${ports.pets}`,
    gateway: `http://127.0.0.1:${ports.gateway}`,
  };
  const replicaPorts: Record<ReplicatedPart, number[]> = {
    auth: [ports.auth, ...(await extraPorts(replicas.auth))],
    pets: [ports.pets, ...(await extraPorts(replicas.pets))],
  };
  const replicaUrls: Record<ReplicatedPart, string[]> = {
    auth: replicaPorts.auth.map((port) => `http://127.0.0.1:${port}`),
    pets: replicaPorts.pets.map((port) => `http://127.0.0.1:${port}`),
  };
  const dataDir = await mkdtemp(join(tmpdir(), 'toypetme-e2e-'));
  const redisKeyPrefix = `e2e:${ports.gateway}:${Date.now()}:`;
  const shared: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    DATA_DIR: dataDir,
    AUTH_PORT: String(ports.auth),
    PETS_PORT: String(ports.pets),
    GATEWAY_PORT: String(ports.gateway),
    AUTH_URL: replicaUrls.auth.join(','),
    PETS_URL: replicaUrls.pets.join(','),
    JWKS_URL: `${replicaUrls.auth.length > 1 ? urls.gateway : urls.auth}/.well-known/jwks.json`,
    JWT_ISSUER: urls.gateway,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    JWT_ALG: SUITE_ALG,
    JWT_ALGORITHMS: SUITE_ALG,
    // Every test client comes from loopback, so per-address budgets would be shared by a whole
    // test file; the throttling tests set their own limits.
    LOGIN_MAX_PER_IP: '10000',
    REGISTER_MAX_PER_IP: '10000',
    REFRESH_MAX_PER_IP: '10000',
    TOKEN_MAX_PER_USER: '100000',
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    ...env,
  };
  const children = new Map<ProcessKey, ChildProcess>();
  const logs = new Map<ProcessKey, string[]>();
  const fullOutputOf = (key: ProcessKey) => (logs.get(key) ?? []).join('');
  const outputOf = (key: ProcessKey) => fullOutputOf(key).slice(-8000);
  const output = (name: PartName) => outputOf(name);

  const startProcess = async (name: PartName, index: number): Promise<void> => {
    const key = keyOf(name, index);
    const port = name === 'gateway' ? ports.gateway : replicaPorts[name][index];
    if (port === undefined) throw new Error(`${name} has no replica ${index}`);
    const portVar = { auth: 'AUTH_PORT', pets: 'PETS_PORT', gateway: 'GATEWAY_PORT' }[name];
    const child = spawn(process.execPath, [join(ROOT, ENTRY[name])], {
      env: { ...shared, [portVar]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = logs.get(key) ?? [];
    logs.set(key, log);
    child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    children.set(key, child);
    await waitReady(`http://127.0.0.1:${port}`, child, () => outputOf(key));
  };
  const stopProcess = async (key: ProcessKey, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    const child = children.get(key);
    if (child === undefined) return null;
    children.delete(key);
    child.kill(signal);
    // A frozen part would never act on the signal: thaw it (harmless when it runs).
    child.kill('SIGCONT');
    return exited(child);
  };
  const start = (name: PartName): Promise<void> => startProcess(name, 0);
  const stop = (name: PartName, signal?: NodeJS.Signals) => stopProcess(name, signal);
  const signal = (name: PartName, sig: NodeJS.Signals): void => {
    const child = children.get(name);
    if (child === undefined) throw new Error(`${name} is not running`);
    child.kill(sig);
  };
  const close = async (): Promise<void> => {
    await Promise.all([...children.keys()].map((key) => stopProcess(key)));
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    for (const part of ['auth', 'pets'] as const) {
      for (const index of replicaPorts[part].keys()) await startProcess(part, index);
    }
    await start('gateway');
  } catch (err) {
    await close();
    throw err;
  }
  return {
    gatewayUrl: urls.gateway,
    urls,
    redisKeyPrefix,
    env: shared,
    output,
    stop,
    start,
    signal,
    close,
    replicaUrls,
    stopReplica: (part, index, signal) => stopProcess(keyOf(part, index), signal),
    startReplica: (part, index) => startProcess(part, index),
    fullOutput: (part, index = 0) => fullOutputOf(keyOf(part, index)),
  };
}
