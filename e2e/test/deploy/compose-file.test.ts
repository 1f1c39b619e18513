import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig as authConfig } from '@toypetme/auth';
import { loadConfig as gatewayConfig } from '@toypetme/gateway';
import { loadConfig as petsConfig } from '@toypetme/pets';
import { validate } from 'dockerfile-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextFiles } from '../../src/deploy/build-context.js';
import {
  dependencies,
  interpolate,
  interpolatedNames,
  parseCompose,
  parseEnvFile,
  type ComposeFile,
} from '../../src/deploy/compose.js';
import { imageConfig, parseDockerfile, type Dockerfile } from '../../src/deploy/dockerfile.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const DCLINT = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'bin/dclint.cjs');
const APP_SERVICES = ['auth', 'pets', 'gateway'];

let composeText: string;
let compose: ComposeFile;
let dockerfileText: string;
let dockerfile: Dockerfile;
let example: Record<string, string>;

beforeAll(async () => {
  composeText = await readFile(join(ROOT, 'docker-compose.yml'), 'utf8');
  compose = parseCompose(composeText);
  dockerfileText = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  dockerfile = parseDockerfile(dockerfileText);
  example = parseEnvFile(await readFile(join(ROOT, '.env.example'), 'utf8'));
});

interface LintReport {
  messages: { rule: string; message: string }[];
}

/** dclint: the compose-spec JSON schema it ships, then its rules (configured in .dclintrc.yml). */
async function dclint(file: string): Promise<LintReport> {
  const args = [DCLINT, file, '--formatter', 'json', '--config', join(ROOT, '.dclintrc.yml')];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT }).catch(
    (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
  );
  const [report] = JSON.parse(stdout) as LintReport[];
  return report!;
}

/** Every variable a part's loadConfig reads, found by handing it an environment that records reads. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const recorder = (base: Record<string, string>) =>
    new Proxy(base, {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    });
  for (const load of [authConfig, petsConfig, gatewayConfig]) {
    for (const base of [{}, { NODE_ENV: 'production' }] as Record<string, string>[]) {
      try {
        load(recorder(base));
      } catch {
        // production without secrets refuses to start: the reads before that are what counts
      }
    }
  }
  return read;
}

describe('docker-compose.yml', () => {
  it('when dclint checks it against the compose specification and its rules, it reports nothing', async () => {
    expect((await dclint(join(ROOT, 'docker-compose.yml'))).messages).toEqual([]);
  });

  it('when a key is misspelt, the schema check reports invalid-schema', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'toypetme-compose-'));
    const broken = join(folder, 'docker-compose.yml');
    await writeFile(broken, composeText.replace('start_period:', 'start_perod:'));
    const report = await dclint(broken);
    await rm(folder, { recursive: true });
    expect(report.messages.map((message) => message.rule)).toContain('invalid-schema');
  });

  it('when ports are listed, only the gateway publishes one', () => {
    const publishing = Object.entries(compose.services).filter(([, service]) => service.ports !== undefined);
    expect(publishing.map(([name]) => name)).toEqual(['gateway']);
    expect(compose.services.gateway!.ports).toEqual(['${GATEWAY_PUBLISH:-8080}:8080']);
  });

  it('when auth, pets and Redis are placed, they sit only on the internal network the gateway also joins', () => {
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ['redis', 'auth', 'pets'])
      expect(compose.services[name]!.networks, name).toEqual(['backend']);
    expect(compose.services.gateway!.networks).toEqual(['edge', 'backend']);
  });

  it('when a service is defined, it has a health check and restarts unless stopped', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, name).toBeDefined();
      expect(service.restart, name).toBe('unless-stopped');
    }
  });

  it('when a service depends on another, it waits until that one is healthy', () => {
    const waits = Object.values(compose.services).flatMap((service) => Object.values(dependencies(service)));
    expect(waits.length).toBeGreaterThanOrEqual(4);
    for (const wait of waits) expect(wait.condition).toBe('service_healthy');
  });

  it('when Redis stores data, it keeps an append-only file on a named volume', () => {
    const redis = compose.services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command).toEqual(['redis-server', '--appendonly', 'yes']);
    expect(redis.volumes).toEqual(['redis-data:/data']);
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', '-e', 'ping']);
  });

  it('when a part is built, its target is a Dockerfile stage and its health check is the image HEALTHCHECK', () => {
    for (const name of APP_SERVICES) {
      const service = compose.services[name]!;
      expect(service.build, name).toEqual({ context: '.', target: name });
      expect(service.env_file, name).toBe('.env');
      expect(service.healthcheck?.test, name).toEqual(['CMD', ...imageConfig(dockerfile, name).healthcheck!]);
    }
  });

  it('when .env is a fresh copy of .env.example, interpolation stops on the missing secrets', () => {
    const required = ['JWT_ISSUER', 'JWT_SECRET', 'SESSION_KEYS'];
    const missing = { ...example, JWT_SECRET: '', SESSION_KEYS: '' };
    expect(() => interpolate(composeText, missing)).toThrow(/JWT_SECRET|SESSION_KEYS/);
    const filled = Object.fromEntries(required.map((name) => [name, `${name.toLowerCase()}-value`]));
    expect(interpolate(composeText, { ...example, ...filled })).toContain('jwt_secret-value');
  });
});

describe('Dockerfile', () => {
  it('when dockerfile-utils validates it, it reports no problem', () => {
    expect(validate(dockerfileText)).toEqual([]);
  });

  it('when an image runs, it is node in exec form as a non-root user, with a HEALTHCHECK on its exposed port', () => {
    for (const name of APP_SERVICES) {
      const config = imageConfig(dockerfile, name);
      expect(config.cmd?.[0], name).toBe('node');
      expect(config.user, name).toBe('node');
      expect(config.healthcheck?.slice(0, 2), name).toEqual(['node', '-e']);
      const portVariable = `${name === 'gateway' ? 'GATEWAY' : name.toUpperCase()}_PORT`;
      const environment = compose.services[name]!.environment as Record<string, string>;
      expect(config.exposed, name).toEqual([Number(environment[portVariable])]);
    }
  });

  it('when the build context is gathered, it holds no installed, built or secret file', async () => {
    const files = await contextFiles(ROOT);
    expect(files).toContain('package-lock.json');
    expect(files).toContain('services/auth/src/main.ts');
    const unwanted = /(^|\/)(node_modules|dist|\.data|\.git|test)(\/|$)|(^|\/)\.env$|\.tsbuildinfo$/;
    expect(files.filter((file) => unwanted.test(file))).toEqual([]);
  });
});

describe('.env.example', () => {
  it('when the parts read their configuration, every variable they read is listed', () => {
    const read = variablesRead();
    expect([...read]).toEqual(expect.arrayContaining(['NODE_ENV', 'AUTH_PORT', 'JWKS_URL', 'AUTH_URL']));
    expect([...read].filter((name) => !(name in example))).toEqual([]);
  });

  it('when compose sets or interpolates a variable, it is listed, and every listed one is read by something', () => {
    const composeNames = new Set(interpolatedNames(composeText));
    for (const name of APP_SERVICES) {
      for (const variable of Object.keys(compose.services[name]!.environment ?? {}))
        composeNames.add(variable);
    }
    expect([...composeNames].filter((name) => !(name in example))).toEqual([]);
    const used = new Set([...variablesRead(), ...composeNames]);
    expect(Object.keys(example).filter((name) => !used.has(name))).toEqual([]);
  });

  it('when the original settings are looked up, JWT_SECRET, JWT_EXPIRATION and JWT_REFRESH_EXPIRATION are there', () => {
    expect(Object.keys(example)).toEqual(
      expect.arrayContaining(['JWT_SECRET', 'JWT_EXPIRATION', 'JWT_REFRESH_EXPIRATION']),
    );
  });
});

describe('docs/deploy.md', () => {
  let docs: string;
  beforeAll(async () => {
    docs = await readFile(join(ROOT, 'docs/deploy.md'), 'utf8');
  });

  it('when it names a variable, .env.example lists it', () => {
    const named = new Set([
      ...[...docs.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)[`=]/g)].map((match) => match[1]!),
      ...[...docs.matchAll(/^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=/gm)].map((match) => match[1]!),
      ...[...docs.matchAll(/name: ([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)/g)].map((match) => match[1]!),
    ]);
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((name) => !(name in example))).toEqual([]);
  });

  it('when it names a compose service, volume, script, file or page, that exists', async () => {
    const services = [...docs.matchAll(/docker compose (?:exec|cp|stop|start|logs -f) (\w+)/g)];
    expect(services.length).toBeGreaterThan(3);
    for (const [, service] of services) expect(Object.keys(compose.services)).toContain(service);
    for (const [, volume] of docs.matchAll(/\b(\w+_[\w-]+):\/data/g)) {
      expect(volume).toBe(`${compose.name}_redis-data`);
    }
    const scripts = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: object })
      .scripts;
    for (const [, script] of docs.matchAll(/npm run (\w+)/g)) expect(Object.keys(scripts)).toContain(script);
    const paths = [...docs.matchAll(/\b((?:services|gateway|packages)\/[\w/.-]+\.js)\b/g)].map(
      (match) => match[1]!,
    );
    const links = [...docs.matchAll(/\]\(([\w-]+\.md)\)/g)].map((match) => `docs/${match[1]!}`);
    for (const path of [...paths, ...links]) await expect(access(join(ROOT, path))).resolves.toBeUndefined();
  });

  it('when it shows a compose override, the compose schema accepts it and each service it names exists or extends one that does', async () => {
    const overrides = [...docs.matchAll(/```yaml\n(services:\n[\s\S]*?)```/g)].map((match) => match[1]!);
    expect(overrides.length).toBeGreaterThanOrEqual(2);
    const folder = await mkdtemp(join(tmpdir(), 'toypetme-override-'));
    try {
      for (const [index, text] of overrides.entries()) {
        const file = join(folder, `override-${index}.yml`);
        await writeFile(file, text);
        const schema = (await dclint(file)).messages.filter((message) => message.rule === 'invalid-schema');
        expect(schema, text).toEqual([]);
        const override = parseCompose(text);
        for (const [name, service] of Object.entries(override.services)) {
          const base = (service as { extends?: { service?: string } }).extends?.service ?? name;
          expect(Object.keys(compose.services), name).toContain(base);
        }
        for (const network of Object.values(override.services).flatMap((service) =>
          Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {}),
        ))
          expect([...Object.keys(compose.networks ?? {}), ...Object.keys(override.networks ?? {})]).toContain(
            network,
          );
      }
    } finally {
      await rm(folder, { recursive: true });
    }
  });
});
