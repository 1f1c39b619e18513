import { describe, expect, it } from 'vitest';
import { ConfigError, describeRedisTarget, EnvReader, readRedisSettings, type Env } from '../src/index.js';

function read(env: Env) {
  const reader = new EnvReader(env);
  const settings = readRedisSettings(reader);
  reader.done();
  return settings;
}

function problemsOf(env: Env): string {
  try {
    read(env);
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
}

describe('readRedisSettings', () => {
  it('when nothing is set, there is no Redis and the prefix is tpm:', () => {
    expect(read({})).toEqual({ redis: undefined, redisKeyPrefix: 'tpm:' });
  });

  it('when REDIS_URL is set, the target is that one server', () => {
    expect(read({ REDIS_URL: 'redis://:pw@redis:6379/2' }).redis).toEqual({
      mode: 'standalone',
      url: 'redis://:pw@redis:6379/2',
    });
  });

  it('when REDIS_CLUSTER_NODES is set, the target is a cluster with those seeds and credentials', () => {
    const { redis } = read({
      REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-b:7001 ,[::1]:7002',
      REDIS_USERNAME: 'app',
      REDIS_PASSWORD: 'pw',
    });
    expect(redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: 'app',
      password: 'pw',
    });
  });

  it('when REDIS_SENTINELS and REDIS_SENTINEL_NAME are set, the target is that master group', () => {
    const { redis } = read({
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'spw',
      REDIS_PASSWORD: 'pw',
    });
    expect(redis).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'mymaster',
      sentinelPassword: 'spw',
      password: 'pw',
    });
  });

  it('when two topologies are set at once, refuses naming the choice', () => {
    expect(problemsOf({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:1' })).toMatch(
      /set only one of REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS/,
    );
    expect(
      problemsOf({ REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' }),
    ).toMatch(/set only one/);
  });

  it('when REDIS_SENTINELS has no REDIS_SENTINEL_NAME, or the name has no sentinels, refuses', () => {
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379' })).toMatch(/REDIS_SENTINEL_NAME is required/);
    expect(problemsOf({ REDIS_URL: 'redis://r:6379', REDIS_SENTINEL_NAME: 'm' })).toMatch(
      /REDIS_SENTINEL_NAME is only used with REDIS_SENTINELS/,
    );
  });

  it.each(['redis-a', 'redis-a:0', 'redis-a:70000', 'a:1,b', ':6379', 'a b:1'])(
    'when a node list holds %j, refuses naming the variable',
    (nodes) => {
      expect(problemsOf({ REDIS_CLUSTER_NODES: nodes })).toMatch(/^REDIS_CLUSTER_NODES must be/);
    },
  );

  it('when REDIS_PASSWORD comes with REDIS_URL (or alone), refuses: the URL carries credentials', () => {
    expect(problemsOf({ REDIS_URL: 'redis://r:6379', REDIS_PASSWORD: 'pw' })).toMatch(
      /^REDIS_PASSWORD is only used/,
    );
    expect(problemsOf({ REDIS_USERNAME: 'app' })).toMatch(/^REDIS_USERNAME is only used/);
  });

  it('when REDIS_KEY_PREFIX holds a brace, refuses: it would replace the keys’ own hash tags', () => {
    expect(problemsOf({ REDIS_KEY_PREFIX: '{tpm}:' })).toMatch(/^REDIS_KEY_PREFIX must not contain/);
    expect(read({ REDIS_KEY_PREFIX: 'prod:' }).redisKeyPrefix).toBe('prod:');
  });

  it('when a target is described for the logs, no credential appears', () => {
    const described = [
      read({ REDIS_URL: 'redis://user:s3cret@redis:6379/1' }).redis,
      read({ REDIS_CLUSTER_NODES: 'a:1,[::1]:2', REDIS_PASSWORD: 's3cret' }).redis,
      read({ REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm', REDIS_SENTINEL_PASSWORD: 's3cret' }).redis,
    ].map((target) => describeRedisTarget(target!));
    expect(described).toEqual(['redis://redis:6379/1', 'cluster a:1,[::1]:2', 'sentinel m@s:26379']);
  });
});
