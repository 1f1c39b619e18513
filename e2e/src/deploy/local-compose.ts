import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { containerEnv, dependencies, type ComposeFile } from './compose.js';
import { imageConfig, type Dockerfile, type ImageConfig } from './dockerfile.js';
import type { BuiltStage } from './image-build.js';
import { freePort } from '../ports.js';

/**
 * Runs the parts of a compose file that are built from the Dockerfile as plain processes on this
 * machine: each from its built image folder, with the image's CMD, as an unprivileged user when
 * this process may switch to one, with the environment compose would give the container. Service
 * host names become loopback addresses: `http://auth:4001` turns into the port the auth process
 * got here, and services that are not built (Redis) are replaced by what the caller names.
 */

export interface LocalPart {
  service: string;
  config: ImageConfig;
  env: Readonly<Record<string, string>>;
  url: string;
  output(): string;
  /** Runs the image's HEALTHCHECK command as Docker would; resolves with its exit code. */
  healthcheck(): Promise<number | null>;
  /** `docker compose exec <service> node …args`: runs node in the image with the part's env. */
  exec(args: readonly string[]): Promise<{ code: number | null; stdout: string }>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface LocalComposeOptions {
  compose: ComposeFile;
  dockerfile: Dockerfile;
  images: ReadonlyMap<string, BuiltStage>;
  /** Contents of the env files named by `env_file` (`.env`), also the interpolation variables. */
  envFiles: Readonly<Record<string, string>>;
  vars: Readonly<Record<string, string>>;
  /** `host:port` standing in for a service that is not built, e.g. `{ 'redis:6379': '127.0.0.1:6379' }`. */
  substitutes: Readonly<Record<string, string>>;
}

const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** Built services, each after the services it depends on. */
export function startOrder(compose: ComposeFile): string[] {
  const order: string[] = [];
  const visit = (name: string): void => {
    const service = compose.services[name];
    if (service?.build === undefined || order.includes(name)) return;
    for (const dependency of Object.keys(dependencies(service))) visit(dependency);
    order.push(name);
  };
  for (const name of Object.keys(compose.services)) visit(name);
  return order;
}

function onThisMachine(
  env: Record<string, string>,
  origins: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value.replace(/\/\/([a-z0-9.-]+):(\d+)/g, (match, host: string, port: string) => {
        const local = origins[`${host}:${port}`];
        return local === undefined ? match : `//${local}`;
      }),
    ]),
  );
}

function nodeCommand(command: readonly string[] | undefined, what: string): string[] {
  // Exec form with node itself: no shell or npm in between to swallow SIGTERM.
  if (command === undefined || command[0] !== 'node')
    throw new Error(`${what} must be ["node", ...] (got ${JSON.stringify(command)})`);
  return [process.execPath, ...command.slice(1)];
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function runOnce(
  command: string[],
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<number | null> {
  const child = spawn(command[0]!, command.slice(1), {
    cwd,
    env,
    stdio: 'ignore',
    timeout: timeoutMs,
    ...UNPRIVILEGED,
  });
  return exited(child);
}

function execNode(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...UNPRIVILEGED,
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return exited(child).then((code) => ({ code, stdout }));
}

async function startPart(
  service: string,
  image: BuiltStage,
  config: ImageConfig,
  env: Record<string, string>,
  url: string,
): Promise<LocalPart> {
  const cwd = join(image.root, image.workdir);
  const [command, ...args] = nodeCommand(config.cmd, `${service}: CMD`);
  const child = spawn(command!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...UNPRIVILEGED });
  const logs: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const output = () => logs.join('').slice(-8000);
  const part: LocalPart = {
    service,
    config,
    env,
    url,
    output,
    healthcheck: () => runOnce(nodeCommand(config.healthcheck, `${service}: HEALTHCHECK`), cwd, env, 5000),
    exec: (execArgs) => execNode(execArgs, cwd, env),
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited(child);
    },
  };
  // What `depends_on: condition: service_healthy` waits for: the image's own health check.
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}:\n${output()}`);
    if ((await part.healthcheck()) === 0) return part;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error(`${service} did not become healthy within 30 s:\n${output()}`);
}

/** Starts every built service in dependency order; stops those already started if one fails. */
export async function startLocalCompose(options: LocalComposeOptions): Promise<LocalPart[]> {
  const { compose, dockerfile, images, envFiles, vars } = options;
  const names = startOrder(compose);
  const plans = await Promise.all(
    names.map(async (service) => {
      const config = imageConfig(dockerfile, compose.services[service]!.build!.target!);
      return { service, config, port: await freePort() };
    }),
  );
  const origins: Record<string, string> = { ...options.substitutes };
  for (const { service, config, port } of plans)
    origins[`${service}:${config.exposed[0]}`] = `127.0.0.1:${port}`;
  const parts: LocalPart[] = [];
  try {
    for (const { service, config, port } of plans) {
      const image = images.get(service)!;
      const env = onThisMachine(containerEnv(compose.services[service]!, image.env, envFiles, vars), origins);
      const listenPort = Object.keys(env).find(
        (name) => name.endsWith('_PORT') && env[name] === String(config.exposed[0]),
      );
      if (listenPort === undefined)
        throw new Error(`${service}: no *_PORT variable sets its EXPOSEd port ${config.exposed[0]}`);
      env[listenPort] = String(port);
      parts.push(await startPart(service, image, config, env, `http://127.0.0.1:${port}`));
    }
  } catch (err) {
    await Promise.all(parts.map((part) => part.stop()));
    throw err;
  }
  return parts;
}
