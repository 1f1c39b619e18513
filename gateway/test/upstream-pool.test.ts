import { createLogger } from '@toypetme/http-kit';
import { describe, expect, it } from 'vitest';
import { UpstreamPool } from '../src/upstream-pool.js';

function pool(origins: string[], downMs = 1000) {
  const clock = { now: 0 };
  const logger = createLogger({ name: 'pool-test', level: 'silent' });
  const upstreams = new UpstreamPool({ name: 'pets', origins, downMs, logger, now: () => clock.now });
  return { upstreams, clock };
}

const picks = (upstreams: UpstreamPool, count: number) =>
  Array.from({ length: count }, () => upstreams.pick());

describe('UpstreamPool', () => {
  it('when every replica is healthy, picks go round-robin in configured order', () => {
    const { upstreams } = pool(['a', 'b', 'c']);
    expect(picks(upstreams, 7)).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('when a replica is marked down, it is skipped until its down time is over', () => {
    const { upstreams, clock } = pool(['a', 'b', 'c']);
    upstreams.markDown('b', 'ECONNREFUSED');
    expect(picks(upstreams, 4)).toEqual(['a', 'c', 'a', 'c']);
    clock.now = 999;
    expect(upstreams.isHealthy('b')).toBe(false);
    clock.now = 1000;
    expect(picks(upstreams, 3)).toEqual(['a', 'b', 'c']);
  });

  it('when a replica marked down answers again, it is back at once', () => {
    const { upstreams } = pool(['a', 'b']);
    upstreams.markDown('a', 'healthz');
    upstreams.markUp('a');
    expect(picks(upstreams, 2)).toEqual(['a', 'b']);
  });

  it('when every replica is down, the one due back first is still tried (one replica: always it)', () => {
    const { upstreams, clock } = pool(['a', 'b']);
    upstreams.markDown('a', 'x');
    clock.now = 10;
    upstreams.markDown('b', 'x');
    expect(picks(upstreams, 2)).toEqual(['a', 'a']);
    const single = pool(['only']).upstreams;
    single.markDown('only', 'x');
    expect(picks(single, 2)).toEqual(['only', 'only']);
  });

  it('when a retry asks for another healthy replica, it never gets the excluded or a down one', () => {
    const { upstreams } = pool(['a', 'b', 'c']);
    upstreams.markDown('c', 'x');
    expect(upstreams.pick({ exclude: 'a', healthyOnly: true })).toBe('b');
    expect(upstreams.pick({ exclude: 'b', healthyOnly: true })).toBe('a');
    upstreams.markDown('a', 'x');
    expect(upstreams.pick({ exclude: 'b', healthyOnly: true })).toBeUndefined();
    expect(pool(['only']).upstreams.pick({ exclude: 'only', healthyOnly: true })).toBeUndefined();
  });
});
