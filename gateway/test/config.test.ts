import { ConfigError } from '@toypetme/http-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, startupWarnings } from '../src/config.js';

describe('gateway config', () => {
  it('when nothing is set, the documented defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      authUrls: ['http://127.0.0.1:4001'],
      petsUrls: ['http://127.0.0.1:4002'],
      upstreamTimeoutMs: 10_000,
      upstreamConnectTimeoutMs: 2_000,
      upstreamDownMs: 5_000,
      upstreamHealthIntervalMs: 5_000,
      trustedProxies: [],
    });
  });

  it('when variables are set, they are parsed once (durations, lists, origins)', () => {
    const config = loadConfig({
      GATEWAY_PORT: '9090',
      AUTH_URL: 'http://auth:4001/',
      PETS_URL: 'http://pets:4002',
      UPSTREAM_TIMEOUT: '3s',
      UPSTREAM_CONNECT_TIMEOUT: '500ms',
      UPSTREAM_DOWN_TIME: '2s',
      UPSTREAM_HEALTH_INTERVAL: '0',
      GATEWAY_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8',
      TRUSTED_PROXIES: '192.0.2.1',
    });
    expect(config).toMatchObject({
      port: 9090,
      authUrls: ['http://auth:4001'],
      petsUrls: ['http://pets:4002'],
      upstreamTimeoutMs: 3000,
      upstreamConnectTimeoutMs: 500,
      upstreamDownMs: 2000,
      upstreamHealthIntervalMs: 0,
      trustedProxies: ['loopback', '10.0.0.0/8'],
    });
  });

  it('when values are empty strings, they count as unset', () => {
    expect(loadConfig({ AUTH_URL: '', UPSTREAM_TIMEOUT: ' ' })).toMatchObject({
      authUrls: ['http://127.0.0.1:4001'],
      upstreamTimeoutMs: 10_000,
    });
  });

  it('when AUTH_URL and PETS_URL list several origins, each list is kept in order', () => {
    const config = loadConfig({
      AUTH_URL: 'http://auth-1:4001, http://auth-2:4001/',
      PETS_URL: 'http://pets-1:4002,http://pets-2:4002,http://10.0.0.7:4002',
    });
    expect(config.authUrls).toEqual(['http://auth-1:4001', 'http://auth-2:4001']);
    expect(config.petsUrls).toEqual(['http://pets-1:4002', 'http://pets-2:4002', 'http://10.0.0.7:4002']);
    expect(Object.isFrozen(config.authUrls)).toBe(true);
  });

  it('when a list holds a bad or repeated origin, refuses naming the variable, never echoing credentials', () => {
    const problemsOf = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).message;
      }
    };
    expect(problemsOf({ AUTH_URL: 'http://a:1,http://user:s3cret@b:2' })).toMatch(/AUTH_URL must be/);
    expect(problemsOf({ AUTH_URL: 'http://a:1,http://user:s3cret@b:2' })).not.toContain('s3cret');
    expect(problemsOf({ PETS_URL: 'http://a:1,http://b:2/api' })).toMatch(/PETS_URL must be/);
    expect(problemsOf({ PETS_URL: 'http://a:1, http://a:1/' })).toMatch(
      /PETS_URL names the same origin twice/,
    );
    expect(problemsOf({ UPSTREAM_DOWN_TIME: '0' })).toMatch(/UPSTREAM_DOWN_TIME/);
  });

  it('when several values are bad, one ConfigError names every one of them', () => {
    const bad = {
      GATEWAY_PORT: 'eighty',
      AUTH_URL: 'ftp://auth',
      PETS_URL: 'http://pets:4002/api',
      UPSTREAM_TIMEOUT: 'soon',
      UPSTREAM_CONNECT_TIMEOUT: '0',
      GATEWAY_TRUSTED_PROXIES: 'not-an-address',
    };
    let error: unknown;
    try {
      loadConfig(bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of Object.keys(bad)) expect(message).toContain(name);
  });

  it('when CORS_ORIGINS lists exact origins, they are kept; anything else is refused naming it', () => {
    const origins = 'https://app.example, http://127.0.0.1:5173';
    expect(loadConfig({ CORS_ORIGINS: origins }).corsOrigins).toEqual([
      'https://app.example',
      'http://127.0.0.1:5173',
    ]);
    for (const bad of [
      '*',
      'null',
      'https://app.example/',
      'https://app.example/path',
      'app.example',
      'ftp://x',
      'https://*.example',
      'https://app..example',
      'https://.example',
      'https://-app.example',
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });

  it('when NODE_ENV=production has an http CORS origin, refuses naming it', () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: 'http://app.example' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems.join('\n')).toMatch(/CORS_ORIGINS: "http:\/\/app.example" must be https/);
    const production = {
      NODE_ENV: 'production',
      GATEWAY_TRUSTED_PROXIES: '10.0.0.2',
      CORS_ORIGINS: 'https://app.example',
    };
    expect(loadConfig(production).production).toBe(true);
    expect(startupWarnings(loadConfig(production))).toEqual([]);
  });

  it('when NODE_ENV=production names no trusted TLS proxy, it starts but warns', () => {
    expect(startupWarnings(loadConfig({ NODE_ENV: 'production' }))).toEqual([
      expect.stringMatching(/GATEWAY_TRUSTED_PROXIES is empty in production/),
    ]);
    expect(startupWarnings(loadConfig({}))).toEqual([]);
  });

  it('when loaded, the config cannot be changed', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.trustedProxies)).toBe(true);
  });
});
