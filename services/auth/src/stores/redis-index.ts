import type { Redis } from '@toypetme/http-kit';

/** Adds to an index set and keeps the set alive at least until `at` (never shortens it). */
const INDEX = `
redis.call('SADD', KEYS[1], ARGV[1])
local at = tonumber(ARGV[2])
if redis.call('PEXPIRETIME', KEYS[1]) < at then redis.call('PEXPIREAT', KEYS[1], at) end
return 1`;

export async function addToIndex(
  redis: Redis,
  indexKey: string,
  member: string,
  untilMs: number,
): Promise<void> {
  await redis.eval(INDEX, 1, indexKey, member, untilMs);
}
