import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredUser } from '../src/domain/user.js';
import type { UserStore } from '../src/stores/user-store.js';

function aUser(email = `${randomUUID()}@example.test`): StoredUser {
  return {
    id: randomUUID(),
    email,
    verified: false,
    createdAt: new Date().toISOString(),
    passwordHash: '$argon2id$stub',
  };
}

/** The behaviour every UserStore must show (STYLE 6): run against memory and Redis. */
export function describeUserStore(name: string, makeStore: () => UserStore): void {
  describe(`UserStore contract: ${name}`, () => {
    it('when a user is created, it is found by id and by email', async () => {
      const store = makeStore();
      const user = aUser();
      expect(await store.create(user)).toBe(true);
      expect(await store.findById(user.id)).toEqual(user);
      expect(await store.findByEmail(user.email)).toEqual(user);
    });

    it('when the email is taken, create answers false and the first user stays', async () => {
      const store = makeStore();
      const first = aUser();
      await store.create(first);
      expect(await store.create(aUser(first.email))).toBe(false);
      expect((await store.findByEmail(first.email))?.id).toBe(first.id);
    });

    it('when 20 registrations of one email race, exactly one wins', async () => {
      const store = makeStore();
      const email = `${randomUUID()}@example.test`;
      const results = await Promise.all(Array.from({ length: 20 }, () => store.create(aUser(email))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('when nothing matches, answers undefined', async () => {
      const store = makeStore();
      expect(await store.findById(randomUUID())).toBeUndefined();
      expect(await store.findByEmail('nobody@example.test')).toBeUndefined();
    });
  });
}
