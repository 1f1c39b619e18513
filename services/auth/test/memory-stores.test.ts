import { describe, expect, it } from 'vitest';
import { MemoryRefreshTokenStore } from '../src/stores/memory-refresh-token-store.js';
import { MemorySessionStore } from '../src/stores/memory-session-store.js';
import { MemoryUserStore } from '../src/stores/memory-user-store.js';
import { describeRefreshTokenStore } from './refresh-token-store.contract.js';
import { describeSessionStore } from './session-store.contract.js';
import { describeUserStore } from './user-store.contract.js';

describeUserStore('memory', () => new MemoryUserStore());
describeSessionStore('memory', () => new MemorySessionStore());
describeRefreshTokenStore('memory', () => new MemoryRefreshTokenStore());

describe('MemorySessionStore expiry', () => {
  it('when the TTL has passed on its clock, the session is gone', async () => {
    let now = 1_000_000;
    const store = new MemorySessionStore(() => now);
    await store.set('s', { userId: 'u' }, 5_000);
    now += 4_999;
    expect(await store.get('s')).toBeDefined();
    now += 1;
    expect(await store.get('s')).toBeUndefined();
  });
});
