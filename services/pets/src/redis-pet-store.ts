import type { RedisClient } from '@toypetme/http-kit';
import { toPet, type Pet, type PetChanges } from './pet.js';
import type { PetStore } from './pet-store.js';

type Transaction = ReturnType<RedisClient['multi']>;

/**
 * An owner's keys share the `{owner:<id>}` hash tag, so they live in one Redis Cluster slot: a
 * pet and its owner's index change together in one MULTI, and a listing reads them with one MGET.
 * Ids are encoded (no `:`, `{` or `}` survive), so no owner id can reach into another's keys.
 */
function ownerTag(ownerId: string): string {
  return `{owner:${encodeURIComponent(ownerId)}}`;
}

/** The pet's JSON. */
export function petKey(prefix: string, ownerId: string, petId: string): string {
  return `${prefix}${ownerTag(ownerId)}:pet:${encodeURIComponent(petId)}`;
}

/** Sorted set of the owner's pet ids, scored by creation time: the listing order. */
export function ownerPetsKey(prefix: string, ownerId: string): string {
  return `${prefix}${ownerTag(ownerId)}:pets`;
}

/**
 * Merges the changes into the stored JSON in one atomic step, and only if the pet exists: two
 * PATCHes of different fields both survive, and a PATCH racing a DELETE never revives the pet.
 */
const UPDATE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return false end
local pet = cjson.decode(current)
for field, value in pairs(cjson.decode(ARGV[1])) do pet[field] = value end
local updated = cjson.encode(pet)
redis.call('SET', KEYS[1], updated)
return updated`;

async function execAtomically(transaction: Transaction): Promise<unknown[]> {
  const results = await transaction.exec();
  if (results === null) throw new Error('Redis transaction was discarded');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

const parsePet = (json: string): Pet => toPet(JSON.parse(json) as Pet);

/** Pets never expire, so no TTL: each key lives exactly as long as its pet. */
export class RedisPetStore implements PetStore {
  /** @param prefix the service's own prefix, e.g. `tpm:pets:` */
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async create(ownerId: string, pet: Pet): Promise<void> {
    const transaction = this.redis
      .multi()
      .set(petKey(this.prefix, ownerId, pet.id), JSON.stringify(toPet(pet)))
      .zadd(ownerPetsKey(this.prefix, ownerId), Date.parse(pet.createdAt), pet.id);
    await execAtomically(transaction);
  }

  async get(ownerId: string, id: string): Promise<Pet | undefined> {
    const json = await this.redis.get(petKey(this.prefix, ownerId, id));
    return json === null ? undefined : parsePet(json);
  }

  async listByOwner(ownerId: string): Promise<Pet[]> {
    const ids = await this.redis.zrange(ownerPetsKey(this.prefix, ownerId), 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => petKey(this.prefix, ownerId, id)));
    // A pet deleted between the two reads is simply skipped.
    return values.filter((json): json is string => json !== null).map(parsePet);
  }

  async update(
    ownerId: string,
    id: string,
    changes: PetChanges,
    updatedAt: string,
  ): Promise<Pet | undefined> {
    const { name, species } = changes;
    const merge = JSON.stringify({ name, species, updatedAt });
    const json = (await this.redis.eval(UPDATE_SCRIPT, 1, petKey(this.prefix, ownerId, id), merge)) as
      string | null;
    return json === null ? undefined : parsePet(json);
  }

  async delete(ownerId: string, id: string): Promise<boolean> {
    const transaction = this.redis
      .multi()
      .del(petKey(this.prefix, ownerId, id))
      .zrem(ownerPetsKey(this.prefix, ownerId), id);
    const [deleted] = await execAtomically(transaction);
    return deleted === 1;
  }
}
