import { describe, expect, it } from 'vitest';
import { ConfigError } from '@toypetme/http-kit';
import { loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('when the environment is empty, uses the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4001,
      accessTokenTtlSec: 900,
      refreshTokenTtlSec: 7 * 86400,
      issuer: 'http://127.0.0.1:8080',
      audience: 'toypetme-api',
      redis: undefined,
      redisKeyPrefix: 'tpm:auth:',
      sessionCookieName: 'tpm.sid',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when JWT_EXPIRATION and JWT_REFRESH_EXPIRATION are set, parses them once into seconds', () => {
    const config = loadConfig({ JWT_EXPIRATION: '5s', JWT_REFRESH_EXPIRATION: '30d', SESSION_MAX_AGE: '2h' });
    expect(config.accessTokenTtlSec).toBe(5);
    expect(config.refreshTokenTtlSec).toBe(30 * 86400);
    expect(config.sessionMaxAgeSec).toBe(7200);
  });

  it('when a variable is an empty string, treats it as unset', () => {
    expect(loadConfig({ JWT_EXPIRATION: '', REDIS_URL: ' ' }).accessTokenTtlSec).toBe(900);
  });

  it('when several variables are bad, throws one error naming each', () => {
    const attempt = () => loadConfig({ JWT_EXPIRATION: 'soon', AUTH_PORT: '99999', REDIS_URL: 'not a url' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const text = (err as Error).message;
      for (const name of ['JWT_EXPIRATION', 'AUTH_PORT', 'REDIS_URL']) expect(text).toContain(name);
    }
  });

  it('when JWT_REFRESH_REUSE_GRACE is longer than 5m or the family lifetime, refuses it', () => {
    expect(() => loadConfig({ JWT_REFRESH_REUSE_GRACE: '30d' })).toThrow(/JWT_REFRESH_REUSE_GRACE/);
    expect(() => loadConfig({ JWT_REFRESH_REUSE_GRACE: '10s', JWT_REFRESH_EXPIRATION: '5s' })).toThrow(
      /JWT_REFRESH_REUSE_GRACE/,
    );
    expect(loadConfig({ JWT_REFRESH_REUSE_GRACE: '0' }).refreshReuseGraceMs).toBe(0);
  });

  it('when JWT_ALG or the key schedule is bad, refuses naming them', () => {
    expect(() => loadConfig({ JWT_ALG: 'HS256' })).toThrow(/JWT_ALG/);
    expect(() => loadConfig({ JWT_KEY_ROTATION: '10m', JWT_KEY_PROPAGATION: '15m' })).toThrow(
      /JWT_KEY_ROTATION/,
    );
    expect(loadConfig({ JWT_ALG: 'EdDSA' }).signingAlg).toBe('EdDSA');
  });

  it('when SESSION_COOKIE_NAME or TRUSTED_PROXIES is malformed, refuses naming them', () => {
    expect(() => loadConfig({ SESSION_COOKIE_NAME: 'bad;name', TRUSTED_PROXIES: 'bogus!!' })).toThrow(
      /SESSION_COOKIE_NAME[\s\S]*TRUSTED_PROXIES|TRUSTED_PROXIES[\s\S]*SESSION_COOKIE_NAME/,
    );
  });

  it('when NODE_ENV=production lacks secrets, Redis and an https issuer, refuses naming every problem', () => {
    try {
      loadConfig({ NODE_ENV: 'production', SESSION_KEYS: 'short' });
      expect.unreachable('production config with weak secrets was accepted');
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('SESSION_KEYS');
      expect(problems).toContain('JWT_SECRET');
      expect(problems).toContain('REDIS_URL');
      expect(problems).toContain('JWT_ISSUER');
    }
  });

  it('when NODE_ENV=production is fully configured, starts', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_KEYS: 'k'.repeat(40),
      JWT_SECRET: 's'.repeat(40),
      REDIS_URL: 'redis://redis:6379',
      JWT_ISSUER: 'https://toypetme.example',
    });
    expect(config.production).toBe(true);
  });
});
