import { randomUUID } from 'node:crypto';
import { connectRedis, createLogger, createRedis, deleteByPrefix } from '@toypetme/http-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerPetsKey, petKey, RedisPetStore } from '../src/index.js';
import { describePetStoreContract, newPet } from './pet-store.contract.js';

// Real Redis; everything lives under a unique prefix that afterAll removes (never FLUSHALL).
const prefix = `test:${randomUUID()}:pets:`;
const logger = createLogger({ name: 'pets-int-test', level: 'silent' });
const redis = createRedis({
  target: { mode: 'standalone', url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  logger,
});

beforeAll(async () => {
  await connectRedis(redis, logger);
});

afterAll(async () => {
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

describePetStoreContract('redis', () => new RedisPetStore(redis, prefix));

describe('RedisPetStore keys', () => {
  const keysOf = (ownerId: string) => redis.keys(`${prefix}{owner:${ownerId}}:*`);

  it('when a pet is created, exactly its JSON key and the owner index exist, with no TTL', async () => {
    const store = new RedisPetStore(redis, prefix);
    const [owner, pet] = [randomUUID(), newPet()];
    await store.create(owner, pet);
    expect((await keysOf(owner)).sort()).toEqual(
      [petKey(prefix, owner, pet.id), ownerPetsKey(prefix, owner)].sort(),
    );
    expect(JSON.parse((await redis.get(petKey(prefix, owner, pet.id))) ?? 'null')).toEqual(pet);
    expect(await redis.ttl(petKey(prefix, owner, pet.id))).toBe(-1);
  });

  it('when the last pet is deleted, no key of that owner remains', async () => {
    const store = new RedisPetStore(redis, prefix);
    const [owner, pet] = [randomUUID(), newPet()];
    await store.create(owner, pet);
    await store.delete(owner, pet.id);
    expect(await keysOf(owner)).toEqual([]);
  });

  it('when ids contain the key separator, one key can never be read as another', async () => {
    const store = new RedisPetStore(redis, prefix);
    const [owner, pet] = [`${randomUUID()}:pet:x`, newPet()];
    await store.create(owner, pet);
    // Unencoded, this pet key would be the index key of the owner above.
    const [victim] = owner.split(':pet:');
    expect(await store.get(victim ?? '', 'x:pets')).toBeUndefined();
    expect(await store.listByOwner(owner)).toEqual([pet]);
    await store.delete(owner, pet.id);
  });
});
