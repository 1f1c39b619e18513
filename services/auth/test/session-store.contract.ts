import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SessionStore } from '../src/stores/session-store.js';

/** The behaviour every SessionStore must show: run against memory and Redis. */
export function describeSessionStore(name: string, makeStore: () => SessionStore): void {
  describe(`SessionStore contract: ${name}`, () => {
    it('when a session is set, get returns the same data', async () => {
      const store = makeStore();
      const id = randomUUID();
      await store.set(id, { userId: 'u1', createdAt: 'now' }, 60_000);
      expect(await store.get(id)).toEqual({ userId: 'u1', createdAt: 'now' });
    });

    it('when destroyed, get answers undefined', async () => {
      const store = makeStore();
      const id = randomUUID();
      await store.set(id, { userId: 'u1' }, 60_000);
      await store.destroy(id);
      expect(await store.get(id)).toBeUndefined();
    });

    it("when a user's sessions are destroyed, every one of them ends and others' stay", async () => {
      const store = makeStore();
      const [a, b, other] = [randomUUID(), randomUUID(), randomUUID()];
      const userId = randomUUID();
      await store.set(a, { userId, handle: 'h-a' }, 60_000);
      await store.set(b, { userId, handle: 'h-b' }, 60_000);
      await store.set(other, { userId: randomUUID(), handle: 'h-other' }, 60_000);
      expect((await store.destroyByUser(userId)).sort()).toEqual(['h-a', 'h-b']);
      expect(await store.get(a)).toBeUndefined();
      expect(await store.get(b)).toBeUndefined();
      expect(await store.get(other)).toBeDefined();
    });

    it('when a session was destroyed, a late save of it (an in-flight renewal) does not bring it back', async () => {
      const store = makeStore();
      const id = randomUUID();
      await store.set(id, { userId: 'u1', handle: 'h' }, 60_000);
      await store.destroy(id);
      await store.set(id, { userId: 'u1', handle: 'h' }, 60_000);
      expect(await store.get(id)).toBeUndefined();
    });

    it('when the id was never set, get answers undefined and destroy is harmless', async () => {
      const store = makeStore();
      await store.destroy('never-set');
      expect(await store.get('never-set')).toBeUndefined();
    });
  });
}
