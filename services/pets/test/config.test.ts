import { ConfigError } from '@toypetme/http-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
}

describe('loadConfig', () => {
  it('when nothing is set, it uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4002,
      redis: undefined,
      redisKeyPrefix: 'tpm:',
      jwt: {
        jwksUrl: 'http://127.0.0.1:4001/.well-known/jwks.json',
        issuer: 'http://127.0.0.1:8080',
        audience: 'toypetme-api',
        clockToleranceSec: 30,
        jwksCooldownMs: 30_000,
        jwksTimeoutMs: 5_000,
      },
    });
  });

  it('when variables are set, durations are parsed once into seconds and milliseconds', () => {
    const config = loadConfig({
      PETS_PORT: '5002',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: 'x:',
      JWT_CLOCK_TOLERANCE: '1m',
      JWKS_COOLDOWN: '10s',
      JWKS_TIMEOUT: '750ms',
    });
    expect(config).toMatchObject({
      port: 5002,
      redis: { mode: 'standalone', url: 'redis://127.0.0.1:6379' },
      redisKeyPrefix: 'x:',
    });
    expect(config.jwt).toMatchObject({ clockToleranceSec: 60, jwksCooldownMs: 10_000, jwksTimeoutMs: 750 });
  });

  it('when a variable is an empty string, it counts as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PETS_PORT: '' })).toMatchObject({ redis: undefined, port: 4002 });
  });

  it('when the config is loaded, it is frozen all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.jwt)).toBe(true);
    expect(Object.isFrozen(config.trustedProxies)).toBe(true);
  });

  it('when NODE_ENV is production without Redis and with an http issuer, it refuses naming both', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toHaveLength(2);
    expect(problems.join()).toMatch(/Redis is required.*REDIS_URL/);
    expect(problems.join()).toMatch(/JWT_ISSUER must be an https URL/);
    const production = {
      NODE_ENV: 'production',
      REDIS_URL: 'redis://redis:6379',
      JWT_ISSUER: 'https://toypetme.example',
    };
    expect(problemsOf(production)).toEqual([]);
  });

  it('when several variables are bad, one error names every one of them', () => {
    const problems = problemsOf({
      PETS_PORT: '99999',
      REDIS_URL: 'http://127.0.0.1:6379',
      JWKS_URL: 'redis://127.0.0.1:6379',
      JWT_CLOCK_TOLERANCE: 'soon',
      JWKS_TIMEOUT: '0',
    });
    for (const name of ['PETS_PORT', 'REDIS_URL', 'JWKS_URL', 'JWT_CLOCK_TOLERANCE', 'JWKS_TIMEOUT']) {
      expect(problems.some((problem) => problem.startsWith(name))).toBe(true);
    }
  });
});
