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
export async function startStack({ redisUrl, env = {} }: StackOptions = {}): Promise<Stack> {
  const ports = { auth: await freePort(), pets: await freePort(), gateway: await freePort() };
  const urls = {
    auth: `http://127.0.0.1:${ports.auth}`,
    pets: `http://127.0.0.1:${ports.pets}`,
    gateway: `http://127.0.0.1:${ports.gateway}`,
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
    AUTH_URL: urls.auth,
    PETS_URL: urls.pets,
    JWKS_URL: `${urls.auth}/.well-known/jwks.json`,
    JWT_ISSUER: urls.gateway,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    JWT_ALG: SUITE_ALG,
    JWT_ALGORITHMS: SUITE_ALG,
    // Every test client comes from loopback, so per-address budgets would be shared by a whole
    // test file; the throttling tests set their own limits.
    LOGIN_MAX_PER_IP: '10000',
    REGISTER_MAX_PER_IP: '10000',
    REFRESH_MAX_PER_IP: '10000',
    ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }),
    ...env,
  };
  const children = new Map<PartName, ChildProcess>();
  const logs: Record<PartName, string[]> = { auth: [], pets: [], gateway: [] };
  const output = (name: PartName) => logs[name].join('').slice(-8000);

  const start = async (name: PartName): Promise<void> => {
    const child = spawn(process.execPath, [join(ROOT, ENTRY[name])], {
      env: shared,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => logs[name].push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => logs[name].push(chunk.toString()));
    children.set(name, child);
    await waitReady(urls[name], child, () => output(name));
  };
  const stop = async (name: PartName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    const child = children.get(name);
    if (child === undefined) return null;
    children.delete(name);
    child.kill(signal);
    // A frozen part would never act on the signal: thaw it (harmless when it runs).
    child.kill('SIGCONT');
    return exited(child);
  };
  const signal = (name: PartName, sig: NodeJS.Signals): void => {
    const child = children.get(name);
    if (child === undefined) throw new Error(`${name} is not running`);
    child.kill(sig);
  };
  const close = async (): Promise<void> => {
    await Promise.all((['gateway', 'pets', 'auth'] as const).map((name) => stop(name)));
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await start('auth');
    await start('pets');
    await start('gateway');
  } catch (err) {
    await close();
    throw err;
  }
  return { gatewayUrl: urls.gateway, urls, redisKeyPrefix, env: shared, output, stop, start, signal, close };
}
