import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '@toypetme/test-kit';
import { MemorySessionStore } from '../src/stores/memory-session-store.js';
import { PASSWORD, cookieLine, loggedIn, startAuth, uniqueEmail, type RunningAuth } from './fixtures.js';

let auth: RunningAuth;
let sessions: MemorySessionStore;
beforeAll(async () => {
  sessions = new MemorySessionStore();
  auth = await startAuth({ sessions });
});
afterAll(() => auth.close());

describe('session cookie', () => {
  it('when logging in over plain http, the cookie is HttpOnly, SameSite=Lax, Path=/, no Domain, not Secure, opaque', async () => {
    const email = uniqueEmail();
    const client = auth.client();
    await client.post('/auth/register', { email, password: PASSWORD });
    const login = await client.post('/auth/login', { email, password: PASSWORD });
    const line = cookieLine(login.setCookies, 'tpm.sid') ?? '';
    expect(line).toMatch(/; httponly/i);
    expect(line).toMatch(/; samesite=lax/i);
    expect(line).toMatch(/; path=\/(;|$)/i);
    expect(line).not.toMatch(/domain=/i);
    expect(line).not.toMatch(/; secure/i);
    const value = client.cookies.get('tpm.sid') ?? '';
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(value).not.toContain(email);
  });

  it('when the gateway says the original request was https, the cookie is Secure and login does not fail', async () => {
    const { client, email } = await loggedIn(auth);
    const login = await client.post(
      '/auth/login',
      { email, password: PASSWORD },
      { headers: { 'x-forwarded-proto': 'https' } },
    );
    expect(login.status).toBe(200);
    expect(cookieLine(login.setCookies, 'tpm.sid')).toMatch(/; secure/i);
  });

  it('when an untrusted peer claims https, the header is ignored and the cookie is not Secure', async () => {
    const untrusting = await startAuth({ trustedProxies: [] });
    try {
      const { client, email } = await loggedIn(untrusting);
      const login = await client.post(
        '/auth/login',
        { email, password: PASSWORD },
        { headers: { 'x-forwarded-proto': 'https' } },
      );
      expect(login.status).toBe(200);
      expect(cookieLine(login.setCookies, 'tpm.sid')).not.toMatch(/; secure/i);
    } finally {
      await untrusting.close();
    }
  });
});

describe('fixation', () => {
  it('when a cookie is planted before login, the session after login has another id', async () => {
    const email = uniqueEmail();
    const client = auth.client();
    await client.post('/auth/register', { email, password: PASSWORD });
    client.cookies.set('tpm.sid', 'planted-by-attacker');
    await client.post('/auth/login', { email, password: PASSWORD });
    expect(client.cookies.get('tpm.sid')).not.toBe('planted-by-attacker');
  });

  it("when V logs in while sending A's live cookie, V gets a new id and A's old cookie then gets 401", async () => {
    const a = await loggedIn(auth);
    const aCookie = a.client.cookieHeader();
    const vEmail = uniqueEmail('v');
    await auth.client().post('/auth/register', { email: vEmail, password: PASSWORD });
    const v = auth.client();
    for (const [name, value] of a.client.cookies) v.cookies.set(name, value);
    const login = await v.post<{ user: { email: string } }>('/auth/login', {
      email: vEmail,
      password: PASSWORD,
    });
    expect(login.body.user.email).toBe(vEmail);
    expect(v.cookies.get('tpm.sid')).not.toBe(a.client.cookies.get('tpm.sid'));
    const replay = await auth.client().get('/auth/me', { headers: { cookie: aCookie } });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('not_authenticated');
  });
});

describe('forged cookies', () => {
  it.each([
    ['no signature', (sid: string) => `tpm.sid=${sid}`],
    [
      'a tampered signature',
      (sid: string, sig: string) =>
        `tpm.sid=${sid}; tpm.sid.sig=${sig.slice(0, -2)}${sig.endsWith('xx') ? 'yy' : 'xx'}`,
    ],
    [
      'a signature of another value',
      (sid: string, sig: string) =>
        `tpm.sid=${sid.slice(0, -1)}${sid.endsWith('A') ? 'B' : 'A'}; tpm.sid.sig=${sig}`,
    ],
    ['a 4 KB junk cookie', () => `tpm.sid=${'j'.repeat(4096)}; tpm.sid.sig=${'k'.repeat(27)}`],
  ])(
    'when the cookie has %s, /auth/me and /api/token answer 401 not_authenticated',
    async (_label, forge) => {
      const { client } = await loggedIn(auth);
      const cookie = forge(client.cookies.get('tpm.sid') ?? '', client.cookies.get('tpm.sid.sig') ?? '');
      for (const path of ['/auth/me', '/api/token']) {
        const reply = await auth.client().get(path, { headers: { cookie } });
        expect(reply.status).toBe(401);
        expect(reply.body.error).toBe('not_authenticated');
      }
    },
  );
});

describe('sessions from before token families', () => {
  it('when a stored session has no handle, it is not a valid session: 401 not_authenticated', async () => {
    const { id } = await loggedIn(auth);
    await sessions.set('legacy-session-id', { userId: id, createdAt: new Date().toISOString() }, 60_000);
    const signature = createHmac('sha1', auth.deps.sessionKeys[0] ?? '')
      .update('tpm.sid=legacy-session-id')
      .digest('base64url');
    const cookie = `tpm.sid=legacy-session-id; tpm.sid.sig=${signature}`;
    for (const path of ['/auth/me', '/api/token']) {
      const reply = await auth.client().get(path, { headers: { cookie } });
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('not_authenticated');
    }
  });
});

describe('POST /auth/logout', () => {
  it('when logged in, destroys the stored session and the replayed cookie gets 401 everywhere', async () => {
    const { client } = await loggedIn(auth);
    const sid = client.cookies.get('tpm.sid') ?? '';
    const cookie = client.cookieHeader();
    expect(await sessions.get(sid)).toBeDefined();
    const logout = await client.post('/auth/logout');
    expect(logout.status).toBe(204);
    expect(cookieLine(logout.setCookies, 'tpm.sid')).toMatch(/path=\/;.*expires=Thu, 01 Jan 1970/i);
    expect(await sessions.get(sid)).toBeUndefined();
    for (const path of ['/auth/me', '/api/token']) {
      const reply = await new HttpClient(auth.url).get(path, { headers: { cookie } });
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('not_authenticated');
    }
  });

  it('when there is no session, still answers 204', async () => {
    const reply = await auth.client().post('/auth/logout');
    expect(reply.status).toBe(204);
  });
});

describe('GET /auth/me', () => {
  it('when logged in, returns the user; without a cookie, 401 not_authenticated', async () => {
    const { client, email, id } = await loggedIn(auth);
    const me = await client.get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id, email, verified: false });
    const anonymous = await auth.client().get('/auth/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('not_authenticated');
  });
});
