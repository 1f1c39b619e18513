import { ConfigError } from '@toypetme/http-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig, startupWarnings } from '../src/config.js';

describe('gateway config', () => {
  it('when nothing is set, the documented defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      authUrl: 'http://127.0.0.1:4001',
      petsUrl: 'http://127.0.0.1:4002',
      upstreamTimeoutMs: 10_000,
      upstreamConnectTimeoutMs: 2_000,
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
      GATEWAY_TRUSTED_PROXIES: 'loopback, 10.0.0.0/8',
      TRUSTED_PROXIES: '192.0.2.1',
    });
    expect(config).toMatchObject({
      port: 9090,
      authUrl: 'http://auth:4001',
      petsUrl: 'http://pets:4002',
      upstreamTimeoutMs: 3000,
      upstreamConnectTimeoutMs: 500,
      trustedProxies: ['loopback', '10.0.0.0/8'],
    });
  });

  it('when values are empty strings, they count as unset', () => {
    expect(loadConfig({ AUTH_URL: '', UPSTREAM_TIMEOUT: ' ' })).toMatchObject({
      authUrl: 'http://127.0.0.1:4001',
      upstreamTimeoutMs: 10_000,
    });
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
