import { describe, expect, it } from 'vitest';
import { ConfigError, EnvReader, parseDurationMs, parseDurationSeconds, readCommon } from '../src/index.js';

describe('durations', () => {
  it.each([
    ['15m', 900],
    ['7d', 604800],
    ['10s', 10],
    ['30', 30],
    ['1h', 3600],
    ['1.5m', 90],
    ['500ms', 1],
  ])('when %s is parsed, gives %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', 'soon', '-5s', '5 minutes', '1y', 'NaN'])('when %j is parsed, gives undefined', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });

  it('when a millisecond duration has no unit, it is seconds like every other duration', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('10')).toBe(10_000);
    expect(parseDurationMs('2s')).toBe(2000);
  });
});

describe('EnvReader', () => {
  it('when values are missing or empty, gives the fallbacks', () => {
    const reader = new EnvReader({ A: '', B: '   ' });
    expect(reader.string('A', 'x')).toBe('x');
    expect(reader.int('B', 3)).toBe(3);
    expect(reader.seconds('C', '15m')).toBe(900);
    expect(reader.list('D', ['loopback'])).toEqual(['loopback']);
    expect(reader.bool('E', true)).toBe(true);
    reader.done();
  });

  it('when several values are bad, done() throws one ConfigError naming each', () => {
    const reader = new EnvReader({
      PORT: 'abc',
      TTL: 'forever',
      URL: 'ftp://x',
      FLAG: 'maybe',
      LEVEL: 'loud',
    });
    reader.port('PORT', 1);
    reader.seconds('TTL', '1m');
    reader.url('URL');
    reader.bool('FLAG', false);
    reader.oneOf('LEVEL', ['info', 'warn'], 'info');
    try {
      reader.done();
      expect.unreachable('done() accepted bad values');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(5);
      for (const name of ['PORT', 'TTL', 'URL', 'FLAG', 'LEVEL'])
        expect((err as Error).message).toContain(name);
    }
  });

  it('when a bad URL carries credentials, the error does not show them', () => {
    const reader = new EnvReader({ REDIS_URL: 'http://:s3cret@redis:6379' });
    reader.redisUrl('REDIS_URL');
    expect(() => reader.done()).toThrow(/REDIS_URL/);
    expect(() => reader.done()).not.toThrow(/s3cret/);
  });

  it('when a trust list is not proxy-addr syntax, names the variable', () => {
    const reader = new EnvReader({ TRUSTED_PROXIES: 'bogus!!' });
    expect(reader.trustList('TRUSTED_PROXIES', ['loopback'])).toEqual(['loopback']);
    expect(() => reader.done()).toThrow(/TRUSTED_PROXIES/);
  });

  it('when a list is given, trims items and drops empty ones', () => {
    expect(new EnvReader({ L: ' a, b ,,c ' }).list('L')).toEqual(['a', 'b', 'c']);
  });

  it.each(['Production', 'PRODUCTION', 'prod', 'staging'])(
    'when NODE_ENV is %s, it is refused instead of silently meaning development',
    (value) => {
      const reader = new EnvReader({ NODE_ENV: value });
      readCommon(reader, 4001);
      expect(() => reader.done()).toThrow(/NODE_ENV must be one of development, test, production/);
    },
  );

  it('when NODE_ENV is production (spaces trimmed), the production checks apply', () => {
    expect(readCommon(new EnvReader({ NODE_ENV: ' production ' }), 4001).production).toBe(true);
  });
});
