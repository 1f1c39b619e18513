import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '@toypetme/test-kit';
import { MemoryRefreshTokenStore } from '../src/stores/memory-refresh-token-store.js';
import { MemoryUserStore } from '../src/stores/memory-user-store.js';
import { loggedIn, startAuth, type RunningAuth } from './fixtures.js';

interface Pair {
  token: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  /** Set instead of the pair when the reply is an error. */
  error?: string;
}

let clock = Date.now();
const now = () => new Date(clock);
let auth: RunningAuth;
let strict: RunningAuth;
beforeAll(async () => {
  auth = await startAuth({ now, refreshTtlSec: 3600 });
  strict = await startAuth({ now, reuseGraceMs: 0 });
});
afterAll(async () => {
  await auth.close();
  await strict.close();
});

async function firstPair(server: RunningAuth = auth) {
  const person = await loggedIn(server);
  const reply = await person.client.get<Pair>('/api/token', {
    headers: { 'user-agent': 'ToyPetMe-iOS/2.1' },
  });
  return { ...person, pair: reply.body, reply };
}

function refresh(server: RunningAuth, refreshToken: unknown) {
  return new HttpClient(server.url).post<Pair>('/api/token/refresh', { refreshToken });
}

describe('GET /api/token pair', () => {
  it('when issued, carries the whole contract pair, no-store, with an opaque refresh token', async () => {
    const { reply, email, id } = await firstPair();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(reply.body).sort()).toEqual([
      'expiresIn',
      'refreshExpiresIn',
      'refreshToken',
      'token',
      'tokenType',
    ]);
    expect(reply.body.refreshExpiresIn).toBe(3600);
    const refreshToken = reply.body.refreshToken;
    expect(refreshToken.split('.')).toHaveLength(2); // not a JWT
    expect(Buffer.from(refreshToken.split('.')[1] ?? '', 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    for (const part of refreshToken.split('.')) {
      const decoded = Buffer.from(part, 'base64url').toString('latin1');
      expect(decoded).not.toContain(email);
      expect(decoded).not.toContain(id);
    }
    expect(decodeJwt(reply.body.token).sid).toBe(refreshToken.split('.')[0]);
  });
});

describe('POST /api/token/refresh', () => {
  it('when a live token is presented, returns a new pair in the same family; the old one is refused after the grace', async () => {
    const { pair } = await firstPair();
    const next = await refresh(auth, pair.refreshToken);
    expect(next.status).toBe(200);
    expect(next.headers.get('cache-control')).toBe('no-store');
    expect(next.body.refreshToken).not.toBe(pair.refreshToken);
    expect(decodeJwt(next.body.token).sid).toBe(decodeJwt(pair.token).sid);
    clock += 11_000;
    const old = await refresh(auth, pair.refreshToken);
    expect(old.status).toBe(401);
    expect(old.body.error).toBe('invalid_refresh_token');
  });

  it('when a response was lost and the same token is sent again within the grace, returns byte-identical tokens', async () => {
    const { pair } = await firstPair();
    const first = await refresh(auth, pair.refreshToken);
    const again = await refresh(auth, pair.refreshToken);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect((await refresh(auth, first.body.refreshToken)).status).toBe(200);
  });

  it('when 20 refreshes with one token race (20 rounds), every 200 carries the same successor and one lineage lives on', async () => {
    let { pair } = await firstPair();
    for (let round = 0; round < 20; round += 1) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => refresh(auth, pair.refreshToken)));
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
      expect(new Set(replies.map((reply) => reply.body.refreshToken)).size).toBe(1);
      pair = replies[0]!.body;
    }
    expect((await refresh(auth, pair.refreshToken)).status).toBe(200);
  });

  it('when the grace is 0, the second use is reuse and kills the family', async () => {
    const { pair } = await firstPair(strict);
    const next = await refresh(strict, pair.refreshToken);
    expect(next.status).toBe(200);
    const reuse = await refresh(strict, pair.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe('invalid_refresh_token');
    const successor = await refresh(strict, next.body.refreshToken);
    expect(successor.status).toBe(401);
    expect(successor.body.error).toBe('invalid_refresh_token');
  });

  it("when a spent token is reused after the grace, its family dies but the user's other family works", async () => {
    const { pair, client } = await firstPair();
    const other = (await client.get<Pair>('/api/token')).body;
    const next = await refresh(auth, pair.refreshToken);
    clock += 10_001;
    expect((await refresh(auth, pair.refreshToken)).status).toBe(401);
    const successor = await refresh(auth, next.body.refreshToken);
    expect(successor.status).toBe(401);
    expect(successor.body.error).toBe('invalid_refresh_token');
    expect((await refresh(auth, other.refreshToken)).status).toBe(200);
  });

  it('when the family is older than JWT_REFRESH_EXPIRATION, refresh fails even right after a rotation', async () => {
    const { pair } = await firstPair();
    clock += 3_599_000;
    const late = await refresh(auth, pair.refreshToken);
    expect(late.status).toBe(200);
    expect(late.body.refreshExpiresIn).toBeLessThanOrEqual(1);
    clock += 1_000;
    const expired = await refresh(auth, late.body.refreshToken);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('invalid_refresh_token');
  });

  it('when the user no longer exists, refresh answers 401', async () => {
    const { pair } = await firstPair();
    const orphan = await startAuth({ families: auth.deps.families, users: new MemoryUserStore(), now });
    try {
      const reply = await refresh(orphan, pair.refreshToken);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_refresh_token');
    } finally {
      await orphan.close();
    }
  });

  it.each([
    ['an access token', 'ACCESS'],
    ['a made-up token', 'AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'],
    ['an empty-looking token', '.'],
  ])('when given %s, answers 401 invalid_refresh_token and no pair', async (_label, value) => {
    const { pair } = await firstPair();
    const reply = await refresh(auth, value === 'ACCESS' ? pair.token : value);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_refresh_token');
  });

  it.each([
    ['an operator object', { $ne: null }],
    ['an array', ['x']],
    ['a number', 42],
    ['null', null],
    ['an empty string', ''],
    ['a 10 KB string', 'r'.repeat(10 * 1024)],
  ])('when refreshToken is %s, answers 400 invalid_request', async (_label, value) => {
    const reply = await refresh(auth, value);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_request');
  });

  it('when the body is missing or not JSON, answers 400 or 415 with a code', async () => {
    const empty = await new HttpClient(auth.url).post('/api/token/refresh');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe('invalid_request');
    const form = await new HttpClient(auth.url).request('POST', '/api/token/refresh', {
      body: 'refreshToken=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body.error).toBe('unsupported_media_type');
  });
});

describe('store independence', () => {
  it('when the app uses a separate families store, tokens of one stack mean nothing to another', async () => {
    const { pair } = await firstPair();
    const elsewhere = await startAuth({ families: new MemoryRefreshTokenStore(), now });
    try {
      expect((await refresh(elsewhere, pair.refreshToken)).status).toBe(401);
    } finally {
      await elsewhere.close();
    }
  });
});
