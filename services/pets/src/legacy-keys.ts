import { isCluster, type Logger, type RedisClient } from '@toypetme/http-kit';
import { ownerPetsKey, petKey } from './redis-pet-store.js';

/** Set once the keys are in the hash-tagged layout, so later starts skip the scan. */
export function layoutKey(prefix: string): string {
  return `${prefix}key-layout`;
}

const LAYOUT = '2';

/**
 * Where a key of the first layout (`owner:<id>:pets`, `owner:<id>:pet:<petId>`, before an
 * owner's keys carried the `{owner:<id>}` hash tag) lives now. Ids were encoded then as now, so
 * a `:` splits the parts.
 */
function newName(prefix: string, key: string): string | undefined {
  const parts = key.slice(prefix.length).split(':');
  const [kind, owner, what, pet] = parts;
  if (kind !== 'owner' || owner === undefined) return undefined;
  const ownerId = decodeURIComponent(owner);
  if (parts.length === 3 && what === 'pets') return ownerPetsKey(prefix, ownerId);
  if (parts.length === 4 && what === 'pet' && pet !== undefined) {
    return petKey(prefix, ownerId, decodeURIComponent(pet));
  }
  return undefined;
}

async function moveKey(redis: RedisClient, from: string, to: string): Promise<void> {
  if (to.endsWith(':pets')) {
    // An index may already exist under the new name (a pet created meanwhile): merge the two.
    await redis.multi().zunionstore(to, 2, to, from).del(from).exec();
    return;
  }
  // A racing replica may have moved it already: then the source is gone and nothing is lost.
  await redis.renamenx(from, to).catch(() => undefined);
}

/**
 * Moves pets stored before the hash-tagged layout to their new key names, once per store. Only a
 * single server (or a Sentinel-managed one) can hold such keys: the first layout could not write
 * to a cluster at all, and a rename across slots would be refused there anyway.
 */
export async function migrateLegacyPetKeys(
  redis: RedisClient,
  prefix: string,
  logger: Logger,
): Promise<number> {
  if ((await redis.get(layoutKey(prefix))) === LAYOUT) return 0;
  let moved = 0;
  if (!isCluster(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}owner:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const to = newName(prefix, key);
        if (to === undefined) continue;
        await moveKey(redis, key, to);
        moved += 1;
      }
    } while (cursor !== '0');
  }
  await redis.set(layoutKey(prefix), LAYOUT);
  if (moved > 0) logger.info({ moved }, 'pets moved to the hash-tagged key layout');
  return moved;
}
