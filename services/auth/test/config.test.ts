import { describe, expect, it } from 'vitest';
import { ConfigError } from '@toypetme/http-kit';
import { loadConfig, rotationPolicy } from '../src/config.js';

const STRONG_KEY = 'Vq3x9LrT2mK8pZ4wN7cB1yH6dF5gJ0sA';

const PRODUCTION = {
  NODE_ENV: 'production',
  SESSION_KEYS: STRONG_KEY,
  JWT_SECRET: 'Zt7Qe2Wn9Ry4Uo1Ip6As3Df8Gh5Jk0Lx',
  REDIS_URL: 'redis://redis:6379',
  JWT_ISSUER: 'https://toypetme.example',
};

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

  it('when JWT_KEY_PROPAGATION is not longer than JWKS_MAX_AGE, refuses naming both', () => {
    expect(() => loadConfig({ JWT_KEY_PROPAGATION: '5m', JWKS_MAX_AGE: '5m' })).toThrow(
      /JWT_KEY_PROPAGATION must be longer than JWKS_MAX_AGE/,
    );
    expect(loadConfig({ JWT_KEY_PROPAGATION: '3s', JWKS_MAX_AGE: '2s' }).keyPropagationMs).toBe(3000);
  });

  it('when JWT_CLOCK_TOLERANCE is set, a retired key stays published for the token lifetime plus it', () => {
    const config = loadConfig({ JWT_EXPIRATION: '2s', JWT_CLOCK_TOLERANCE: '1s' });
    expect(rotationPolicy(config).retireAfterMs).toBe(3000);
    expect(rotationPolicy(loadConfig({ JWT_EXPIRATION: '15m' })).retireAfterMs).toBe(15 * 60_000 + 30_000);
  });

  it('when SESSION_COOKIE_NAME or TRUSTED_PROXIES is malformed, refuses naming them', () => {
    expect(() => loadConfig({ SESSION_COOKIE_NAME: 'bad;name', TRUSTED_PROXIES: 'bogus!!' })).toThrow(
      /SESSION_COOKIE_NAME[\s\S]*TRUSTED_PROXIES|TRUSTED_PROXIES[\s\S]*SESSION_COOKIE_NAME/,
    );
  });

  it('when no attempt limits are set, the documented defaults apply', () => {
    expect(loadConfig({}).throttle).toEqual({
      loginPerAccount: { max: 10, windowSec: 900 },
      loginPerAddress: { max: 100, windowSec: 900 },
      registerPerAddress: { max: 20, windowSec: 3600 },
      refreshPerAddress: { max: 300, windowSec: 60 },
      tokensPerUser: { max: 60, windowSec: 900 },
    });
  });

  it('when attempt limits are set, they are read; zero or nonsense is refused naming each variable', () => {
    const config = loadConfig({
      LOGIN_MAX_PER_ACCOUNT: '5',
      LOGIN_ACCOUNT_WINDOW: '3s',
      REFRESH_MAX_PER_IP: '7',
    });
    expect(config.throttle.loginPerAccount).toEqual({ max: 5, windowSec: 3 });
    expect(config.throttle.refreshPerAddress.max).toBe(7);
    try {
      loadConfig({
        LOGIN_MAX_PER_IP: '0',
        REGISTER_MAX_PER_IP: 'many',
        LOGIN_IP_WINDOW: '0s',
        REFRESH_IP_WINDOW: 'x',
      });
      expect.unreachable('bad limits were accepted');
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of [
        'LOGIN_MAX_PER_IP',
        'REGISTER_MAX_PER_IP',
        'LOGIN_IP_WINDOW',
        'REFRESH_IP_WINDOW',
      ]) {
        expect(problems).toContain(name);
      }
    }
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

  it('when NODE_ENV=production gets placeholder or shared secrets, refuses each one', () => {
    try {
      loadConfig({
        ...PRODUCTION,
        SESSION_KEYS: `${STRONG_KEY},${'k'.repeat(40)}`,
        JWT_SECRET: 'changemechangemechangemechangeme',
      });
      expect.unreachable('placeholder secrets were accepted');
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(2);
      expect(problems.join('\n')).toMatch(/SESSION_KEYS \(key 2\) looks like a placeholder/);
      expect(problems.join('\n')).toMatch(/JWT_SECRET looks like a placeholder/);
    }
    expect(() => loadConfig({ ...PRODUCTION, JWT_SECRET: STRONG_KEY })).toThrow(/JWT_SECRET must differ/);
  });

  it.each([
    ['1234567812345678123456781234567812345678'],
    ['changeme-changeme-changeme-changeme'],
    ['abcdefgh'.repeat(5)],
    ['Secret42!'.repeat(4)],
    ['changeme-changeme-changeme-changeme!'],
    [`${'abcdefgh'.repeat(4)}1`],
  ])('when NODE_ENV=production gets the repeated-piece secret %s, refuses it as a placeholder', (weak) => {
    for (const settings of [{ JWT_SECRET: weak }, { SESSION_KEYS: weak }]) {
      expect(() => loadConfig({ ...PRODUCTION, ...settings })).toThrow(
        /looks like a placeholder \(one short piece repeated\)/,
      );
    }
  });

  it('when JWT_SECRET_PREVIOUS equals JWT_SECRET, refuses it naming both', () => {
    expect(() => loadConfig({ JWT_SECRET: STRONG_KEY, JWT_SECRET_PREVIOUS: STRONG_KEY })).toThrow(
      /JWT_SECRET_PREVIOUS equals JWT_SECRET/,
    );
  });

  it('when SESSION_KEYS is set but lists no key, refuses it in any environment', () => {
    expect(() => loadConfig({ SESSION_KEYS: ' , ' })).toThrow(/SESSION_KEYS is set but lists no key/);
    expect(() => loadConfig({ ...PRODUCTION, SESSION_KEYS: ',' })).toThrow(/SESSION_KEYS is required/);
  });

  it('when NODE_ENV=production is fully configured, starts', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.production).toBe(true);
  });
});
