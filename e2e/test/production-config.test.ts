import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { api, PASSWORD, redisStack, uniqueEmail } from './support.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs a compiled part with exactly `env` and waits for it to exit (it must not start). */
function run(entry: string, env: Record<string, string>): Promise<Exit> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, entry)],
      { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env }, timeout: 15_000 },
      (_err, _stdout, stderr) => resolvePromise({ code: child.exitCode, stderr }),
    );
  });
}

describe('NODE_ENV=production refuses to start on a weak configuration, naming every problem at once', () => {
  it('when auth has no Redis, an http issuer, a short session key and a placeholder JWT_SECRET, it exits non-zero naming each', async () => {
    const exit = await run('services/auth/dist/main.js', {
      NODE_ENV: 'production',
      AUTH_PORT: '0',
      SESSION_KEYS: 'short-key',
      JWT_SECRET: 'changemechangemechangemechangeme',
      JWT_ISSUER: 'http://toypetme.test',
    });
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    const message = exit.stderr;
    expect(message).toContain('auth failed to start');
    expect(message).toMatch(/SESSION_KEYS \(key 1\) must be at least 32 characters/);
    expect(message).toMatch(/JWT_SECRET looks like a placeholder/);
    expect(message).toMatch(/Redis is required in production \(set REDIS_URL/);
    expect(message).toMatch(/JWT_ISSUER must be an https URL/);
    // One message: a single "failed to start" line followed by the list.
    expect(message.match(/failed to start/g)).toHaveLength(1);
    expect(message).not.toContain('short-key');
  });

  it('when auth gets nothing at all, it exits non-zero naming both secrets, Redis and the issuer', async () => {
    const exit = await run('services/auth/dist/main.js', { NODE_ENV: 'production', AUTH_PORT: '0' });
    expect(exit.code).not.toBe(0);
    for (const name of ['SESSION_KEYS is required', 'JWT_SECRET is required', 'REDIS_URL', 'JWT_ISSUER']) {
      expect(exit.stderr).toContain(name);
    }
  });

  it('when pets has no Redis and an http issuer, it exits non-zero naming both', async () => {
    const exit = await run('services/pets/dist/main.js', { NODE_ENV: 'production', PETS_PORT: '0' });
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toMatch(/Redis is required when NODE_ENV=production \(set REDIS_URL/);
    expect(exit.stderr).toMatch(/JWT_ISSUER must be an https URL/);
  });

  it('when the gateway has an http CORS origin, it exits non-zero naming it', async () => {
    const exit = await run('gateway/dist/main.js', {
      NODE_ENV: 'production',
      GATEWAY_PORT: '0',
      CORS_ORIGINS: 'http://app.toypetme.test',
    });
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toMatch(/CORS_ORIGINS: "http:\/\/app.toypetme.test" must be https/);
  });
});

describe('NODE_ENV=production with a complete configuration', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await redisStack({
      env: {
        NODE_ENV: 'production',
        SESSION_KEYS: 'Vq3x9LrT2mK8pZ4wN7cB1yH6dF5gJ0sA',
        JWT_SECRET: 'Zt7Qe2Wn9Ry4Uo1Ip6As3Df8Gh5Jk0Lx',
        JWT_ISSUER: 'https://toypetme.test',
        GATEWAY_TRUSTED_PROXIES: '127.0.0.2',
        CORS_ORIGINS: 'https://app.toypetme.test',
      },
    });
  });
  afterAll(() => stack?.close());

  it('when every part is configured, each starts and a person registers, logs in and opens /api/pets', async () => {
    const web = api(stack);
    const email = uniqueEmail('prod');
    expect((await web.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
    expect((await web.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
    const token = await web.get<{ token: string }>('/api/token');
    expect(token.status).toBe(200);
    expect((await web.get('/api/pets', { bearer: token.body.token })).status).toBe(200);
  });
});
