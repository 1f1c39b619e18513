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

    it('when the id was never set, get answers undefined and destroy is harmless', async () => {
      const store = makeStore();
      await store.destroy('never-set');
      expect(await store.get('never-set')).toBeUndefined();
    });
  });
}
