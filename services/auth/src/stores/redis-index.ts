import type { RedisClient } from '@toypetme/http-kit';

/**
 * Index sets are sorted by each member's expiry: adding prunes what has expired, so an index
 * holds at most what was created within one lifetime, and its own TTL follows its newest member.
 * With a guard key (KEYS[2]) the add is refused while that key exists: the atomic check that
 * stops a family joining a session that is being logged out.
 */
const INDEX = `
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local at = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], at, ARGV[1])
if redis.call('PEXPIRETIME', KEYS[1]) < at then redis.call('PEXPIREAT', KEYS[1], at) end
return 1`;

/** Adds `member` (living until `untilMs`); false when the guard key exists. */
export async function addToIndex(
  redis: RedisClient,
  indexKey: string,
  member: string,
  untilMs: number,
  guardKey?: string,
): Promise<boolean> {
  const keys = guardKey === undefined ? [indexKey] : [indexKey, guardKey];
  return (await redis.eval(INDEX, keys.length, ...keys, member, untilMs, Date.now())) === 1;
}

/** The members that have not expired yet. */
export function liveMembers(redis: RedisClient, indexKey: string): Promise<string[]> {
  return redis.zrangebyscore(indexKey, Date.now(), '+inf');
}
