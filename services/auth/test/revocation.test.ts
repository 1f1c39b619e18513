import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '@toypetme/test-kit';
import { PASSWORD, loggedIn, startAuth, type RunningAuth } from './fixtures.js';
import { expectLogoutSurvivesRenewal, expectLogoutWinsRaces } from './logout-races.js';

interface Pair {
  token: string;
  refreshToken: string;
  /** Set instead of the pair when the reply is an error. */
  error?: string;
}
interface Device {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string;
}

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.close());

const refresh = (refreshToken: string) =>
  new HttpClient(auth.url).post<Pair>('/api/token/refresh', { refreshToken });

/** A second web session of the same person (another browser). */
async function secondSession(email: string): Promise<HttpClient> {
  const other = auth.client();
  await other.post('/auth/login', { email, password: PASSWORD });
  return other;
}

describe('logout', () => {
  it("when a session logs out, every token of its families dies, and the person's other session lives on", async () => {
    const { client, email } = await loggedIn(auth);
    const unused = (await client.get<Pair>('/api/token')).body;
    const rotatedFrom = (await client.get<Pair>('/api/token')).body;
    const rotatedTo = (await refresh(rotatedFrom.refreshToken)).body;
    const other = await secondSession(email);
    const otherPair = (await other.get<Pair>('/api/token')).body;
    const cookie = client.cookieHeader();

    expect((await client.post('/auth/logout')).status).toBe(204);
    for (const token of [unused.refreshToken, rotatedTo.refreshToken]) {
      const reply = await refresh(token);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_refresh_token');
    }
    const replay = await new HttpClient(auth.url).get('/api/token', { headers: { cookie } });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('not_authenticated');
    expect((await other.get('/auth/me')).status).toBe(200);
    expect((await refresh(otherPair.refreshToken)).status).toBe(200);
  });
});

describe('a session closed to new families', () => {
  it('when /api/token comes after its session was closed, answers 401 not_authenticated and keeps no family', async () => {
    const { client } = await loggedIn(auth);
    const stored = await auth.deps.sessions.get(client.cookies.get('tpm.sid') ?? '');
    await auth.deps.families.revokeBySession(String(stored?.handle));
    const reply = await client.get('/api/token');
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('not_authenticated');
    expect((await client.get<{ devices: Device[] }>('/auth/devices')).body.devices).toEqual([]);
  });
});

describe('POST /auth/logout-all', () => {
  it("when called, ends every session and family of the user, and nobody else's", async () => {
    const me = await loggedIn(auth);
    const mine = (await me.client.get<Pair>('/api/token')).body;
    const myOtherBrowser = await secondSession(me.email);
    const myOtherPair = (await myOtherBrowser.get<Pair>('/api/token')).body;
    const someoneElse = await loggedIn(auth);
    const theirs = (await someoneElse.client.get<Pair>('/api/token')).body;

    expect((await me.client.post('/auth/logout-all')).status).toBe(204);
    for (const client of [me.client, myOtherBrowser]) {
      const reply = await client.get('/auth/me');
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('not_authenticated');
    }
    for (const token of [mine.refreshToken, myOtherPair.refreshToken]) {
      const reply = await refresh(token);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_refresh_token');
    }
    expect((await someoneElse.client.get('/auth/me')).status).toBe(200);
    expect((await refresh(theirs.refreshToken)).status).toBe(200);
  });

  it('when there is no session, answers 401 not_authenticated', async () => {
    const reply = await auth.client().post('/auth/logout-all');
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('not_authenticated');
  });
});

describe('devices', () => {
  it('when listed, shows each live family with its user agent; revoking one ends only that one', async () => {
    const { client } = await loggedIn(auth);
    const phone = (await client.get<Pair>('/api/token', { headers: { 'user-agent': 'ToyPetMe-iOS/2.1' } }))
      .body;
    const tablet = (
      await client.get<Pair>('/api/token', { headers: { 'user-agent': 'ToyPetMe-Android/3.0' } })
    ).body;
    const listed = await client.get<{ devices: Device[] }>('/auth/devices');
    expect(listed.status).toBe(200);
    expect(listed.body.devices.map((d) => d.userAgent)).toEqual(['ToyPetMe-Android/3.0', 'ToyPetMe-iOS/2.1']);
    const phoneId = phone.refreshToken.split('.')[0];
    expect(listed.body.devices.some((d) => d.id === phoneId)).toBe(true);

    expect((await client.request('DELETE', `/auth/devices/${phoneId}`)).status).toBe(204);
    const dead = await refresh(phone.refreshToken);
    expect(dead.status).toBe(401);
    expect(dead.body.error).toBe('invalid_refresh_token');
    expect((await refresh(tablet.refreshToken)).status).toBe(200);
    const after = await client.get<{ devices: Device[] }>('/auth/devices');
    expect(after.body.devices.map((d) => d.userAgent)).toEqual(['ToyPetMe-Android/3.0']);
  });

  it("when another user's device or a made-up id is revoked, answers 404 not_found and nothing changes", async () => {
    const owner = await loggedIn(auth);
    const pair = (await owner.client.get<Pair>('/api/token')).body;
    const intruder = await loggedIn(auth);
    for (const id of [pair.refreshToken.split('.')[0], 'no-such-device', 'x'.repeat(300), '..%2F..%2Fetc']) {
      const reply = await intruder.client.request('DELETE', `/auth/devices/${id}`);
      expect(reply.status).toBe(404);
      expect(reply.body.error).toBe('not_found');
    }
    expect((await intruder.client.get<{ devices: Device[] }>('/auth/devices')).body.devices).toEqual([]);
    expect((await refresh(pair.refreshToken)).status).toBe(200);
  });

  it('when there is no session, listing answers 401 not_authenticated', async () => {
    const reply = await auth.client().get('/auth/devices');
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('not_authenticated');
  });
});

describe('races with logout (memory store)', () => {
  it('when /api/token races logout, no family outlives the logout', async () => {
    await expectLogoutWinsRaces(auth, '/auth/logout');
  });

  it('when /api/token races logout-all, no family outlives it', async () => {
    await expectLogoutWinsRaces(auth, '/auth/logout-all');
  });

  it('when a request in flight would renew the session, logout still ends it', async () => {
    const shortLived = await startAuth({ sessionMaxAgeSec: 2 });
    try {
      await expectLogoutSurvivesRenewal(shortLived, 1000);
    } finally {
      await shortLived.close();
    }
  });
});
