import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteKeys, HttpClient, TEST_REDIS_URL, testRedis } from '@toypetme/test-kit';
import { satisfies } from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyContext } from '../../src/deploy/build-context.js';
import { parseCompose, parseEnvFile } from '../../src/deploy/compose.js';
import { parseDockerfile } from '../../src/deploy/dockerfile.js';
import { buildTarget, type BuiltStage } from '../../src/deploy/image-build.js';
import { startLocalCompose, type LocalPart } from '../../src/deploy/local-compose.js';

/*
 * Every image's build steps, run without Docker: the build context is what .dockerignore lets
 * through, each Dockerfile stage runs in its own folder (npm ci, tsc -b, npm ci --omit=dev,
 * argon2 compiled by its install script as in the image), and each part then starts from its
 * final image folder with the image's CMD and the environment docker-compose.yml and .env.example
 * give it (NODE_ENV=production, so with real secrets and an https issuer), as an unprivileged user.
 * npm works from its cache first (npm_config_prefer_offline); nothing else is reused.
 */

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const PASSWORD = 'deploy correct horse';

/** .env.example with what docs/deploy.md tells an operator to fill in, and a test key prefix. */
function operatorDotEnv(example: string, prefix: string): string {
  const settings: Record<string, string> = {
    JWT_ISSUER: 'https://toypetme.test',
    JWT_SECRET: randomBytes(48).toString('base64'),
    SESSION_KEYS: randomBytes(48).toString('base64'),
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  return Object.entries(settings).reduce((text, [name, value]) => {
    const line = new RegExp(`^${name}=.*$`, 'm');
    if (!line.test(text)) throw new Error(`.env.example has no ${name}= line`);
    return text.replace(line, `${name}=${value}`);
  }, example);
}

const runEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? tmpdir(),
  npm_config_prefer_offline: 'true',
  ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
};

let workspace: string;
let redisKeyPrefix: string;
const images = new Map<string, BuiltStage>();
const skipped: string[] = [];
let parts: LocalPart[] = [];
const part = (service: string): LocalPart => parts.find((candidate) => candidate.service === service)!;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'toypetme-images-'));
  await chmod(workspace, 0o755); // the parts run as an unprivileged user
  const context = join(workspace, 'context');
  await copyContext(ROOT, context);
  const dockerfile = parseDockerfile(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
  const compose = parseCompose(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'));
  const built = new Map<string, BuiltStage>();
  const options = {
    context,
    workspace: join(workspace, 'stages'),
    runEnv,
    onStep: (stage: string, { keyword, text }: { keyword: string; text: string }, wasSkipped: boolean) => {
      if (wasSkipped) skipped.push(`${stage}: ${keyword} ${text}`);
    },
  };
  for (const [service, { build }] of Object.entries(compose.services)) {
    if (build?.target !== undefined)
      images.set(service, await buildTarget(dockerfile, build.target, options, built));
  }
  redisKeyPrefix = `deploy:${randomUUID()}:`;
  const dotEnv = operatorDotEnv(await readFile(join(ROOT, '.env.example'), 'utf8'), redisKeyPrefix);
  parts = await startLocalCompose({
    compose,
    dockerfile,
    images,
    envFiles: { '.env': dotEnv },
    vars: parseEnvFile(dotEnv),
    substitutes: { 'redis:6379': new URL(TEST_REDIS_URL).host },
  });
}, 600_000);

afterAll(async () => {
  await Promise.all(parts.map((running) => running.stop()));
  if (redisKeyPrefix !== undefined) {
    const t = await testRedis('deploy-cleanup');
    await deleteKeys(t.redis, `${redisKeyPrefix}*`);
    await t.cleanup();
  }
  if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
});

async function filesUnder(folder: string, skip: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && !skip(join(entry.parentPath, entry.name)))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('production images built and started without Docker', () => {
  it('when the images are built, only the system packages step is left to this machine', () => {
    expect(skipped).toEqual([expect.stringMatching(/^toolchain: RUN apt-get update .*python3 make g\+\+/)]);
    expect([...images.keys()].sort()).toEqual(['auth', 'gateway', 'pets']);
  });

  it('when a final image is inspected, it holds compiled JavaScript and production dependencies only', async () => {
    for (const [service, image] of images) {
      const app = join(image.root, image.workdir);
      const modules = await readdir(join(app, 'node_modules'));
      for (const devOnly of [
        'typescript',
        'vitest',
        'eslint',
        'prettier',
        'pino-pretty',
        'concurrently',
        'autocannon',
      ]) {
        expect(modules, `${service} has ${devOnly}`).not.toContain(devOnly);
      }
      const sources = await filesUnder(app, (path) => path.includes('/node_modules/'));
      expect(
        sources.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts')),
        service,
      ).toEqual([]);
    }
    const auth = images.get('auth')!;
    const argon2 = join(auth.root, auth.workdir, 'node_modules/argon2/build/Release/argon2.node');
    expect((await stat(argon2)).isFile()).toBe(true);
  });

  it('when a final image is inspected, every dependency each of its packages declares resolves there to a version in range', async () => {
    const version = async (path: string): Promise<string | undefined> =>
      readFile(path, 'utf8').then(
        (text) => (JSON.parse(text) as { version: string }).version,
        () => undefined,
      );
    for (const [service, image] of images) {
      const app = join(image.root, image.workdir);
      const manifests = (await filesUnder(app, (path) => path.includes('/node_modules/'))).filter((path) =>
        path.endsWith('/package.json'),
      );
      expect(manifests.length, service).toBeGreaterThan(1);
      for (const manifest of manifests) {
        const dir = manifest.slice(0, -'/package.json'.length);
        const { dependencies = {} } = JSON.parse(await readFile(manifest, 'utf8')) as {
          dependencies?: Record<string, string>;
        };
        for (const [name, range] of Object.entries(dependencies)) {
          if (name.startsWith('@toypetme/')) continue;
          // Node's lookup from the package's folder: its own node_modules first, then the app's.
          const found =
            (await version(join(dir, 'node_modules', name, 'package.json'))) ??
            (await version(join(app, 'node_modules', name, 'package.json')));
          const where = `${service}: ${manifest.slice(app.length)} needs ${name}@${range}`;
          expect(found, where).toBeDefined();
          expect(satisfies(found!, range), `${where}, finds ${found}`).toBe(true);
        }
      }
    }
  });

  it('when the parts run, each runs as a non-root user and its HEALTHCHECK answers 0', async () => {
    for (const running of parts) {
      expect(running.config.user, running.service).toBe('node');
      expect(await running.healthcheck(), running.service).toBe(0);
    }
  });

  it('when a person registers, logs in, takes tokens, keeps pets and refreshes through the gateway, every step answers as the contract says', async () => {
    const web = new HttpClient(part('gateway').url);
    const email = `deploy.${randomBytes(6).toString('hex')}@example.test`;
    expect((await web.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await web.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
    expect((await web.get<{ user: { email: string } }>('/auth/me')).body.user.email).toBe(email);
    const pair = await web.get<{ token: string; refreshToken: string }>('/api/token');
    expect(pair.status).toBe(200);
    const app = new HttpClient(part('gateway').url);
    const created = await app.post(
      '/api/pets',
      { name: 'Biscuit', species: 'dog' },
      { bearer: pair.body.token },
    );
    expect(created.status).toBe(201);
    const listed = await app.get<{ pets: { name: string }[] }>('/api/pets', { bearer: pair.body.token });
    expect(listed.body.pets.map((pet) => pet.name)).toEqual(['Biscuit']);
    const refreshed = await app.post<{ token: string }>('/api/token/refresh', {
      refreshToken: pair.body.refreshToken,
    });
    expect(refreshed.status).toBe(200);
    expect((await app.get('/api/pets', { bearer: refreshed.body.token })).status).toBe(200);
    const jwks = await app.get<{ keys: unknown[] }>('/.well-known/jwks.json');
    expect(jwks.body.keys.length).toBeGreaterThan(0);
    expect((await web.post('/auth/logout')).status).toBe(204);
    const after = await web.get('/api/token');
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('not_authenticated');
  });

  it('when the operator lists the signing keys inside the auth image, the key in the JWKS is signing', async () => {
    const listed = await part('auth').exec(['services/auth/dist/cli/keys.js', 'list']);
    expect(listed.code).toBe(0);
    const jwks = await new HttpClient(part('gateway').url).get<{ keys: { kid: string }[] }>(
      '/.well-known/jwks.json',
    );
    expect(listed.stdout).toContain(`${jwks.body.keys[0]!.kid}  RS256  signing`);
  });

  it('when a token is missing, pets answers 401 missing_token through the gateway', async () => {
    const reply = await new HttpClient(part('gateway').url).get('/api/pets');
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('missing_token');
  });

  it('when each part gets SIGTERM, it exits 0 and its HEALTHCHECK then fails', async () => {
    for (const service of ['gateway', 'pets', 'auth']) {
      const running = part(service);
      expect(await running.stop('SIGTERM'), `${service}:\n${running.output()}`).toBe(0);
      expect(await running.healthcheck(), service).not.toBe(0);
    }
    parts = [];
  });
});
