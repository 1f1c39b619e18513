import calculateSlot from 'cluster-key-slot';

/** The Redis Cluster hash slot of a key: CRC16 of its `{…}` hash tag (or whole key), mod 16384. */
export function hashSlot(key: string): number {
  return calculateSlot(key);
}

/**
 * The part of a key Redis hashes when it has a hash tag: what lies between the first `{` and the
 * first `}` after it, when that is not empty (Redis Cluster specification, "Hash tags").
 */
export function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}
