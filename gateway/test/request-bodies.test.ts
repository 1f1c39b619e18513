import { Agent } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { json, send } from './support/client.js';
import { useGatewayFixture } from './support/fixture.js';
import type { Echo } from './support/upstream.js';

const f = useGatewayFixture();

// Accents, CJK, an emoji family joined with ZWJ, a flag: 1–4 byte sequences (F02).
const MULTI_BYTE = 'Zoë Ångström 小狗ポチ 👨‍👩‍👧‍👦 🇫🇷 ✓';

describe('request bodies (F01)', () => {
  const pet = JSON.stringify({ name: 'Rex', species: 'dog', notes: 'x'.repeat(5000) });
  const jsonType = { 'content-type': 'application/json' };

  it('when a JSON POST carries a Content-Length, it reaches pets intact', async () => {
    const reply = await send(f.gateway.url, '/api/pets', { body: pet, headers: jsonType });
    expect(reply.status).toBe(200);
    const echo = json<Echo>(reply);
    expect(echo).toMatchObject({ upstream: 'pets', method: 'POST', body: pet });
    expect(echo.headers['content-length']).toBe(String(Buffer.byteLength(pet)));
  });

  it('when a PATCH body is chunked, it reaches pets intact', async () => {
    const chunks = [pet.slice(0, 10), pet.slice(10, 3000), pet.slice(3000)];
    const reply = await send(f.gateway.url, '/api/pets/p1', { method: 'PATCH', chunks, headers: jsonType });
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply)).toMatchObject({ method: 'PATCH', url: '/api/pets/p1', body: pet });
  });

  it('when a body is sent with Expect: 100-continue, the client is told to continue and auth gets it intact', async () => {
    const login = JSON.stringify({ email: 'a@example.test', password: 'correct horse battery' });
    const reply = await send(f.gateway.url, '/auth/login', {
      body: login,
      expectContinue: true,
      headers: jsonType,
    });
    expect(reply.continued).toBe(true);
    expect(reply.status).toBe(200);
    const echo = json<Echo>(reply);
    expect(echo).toMatchObject({ upstream: 'auth', body: login });
    expect(echo.headers.expect).toBeUndefined();
  });

  it('when a DELETE has no body, pets gets it with an empty body', async () => {
    const reply = await send(f.gateway.url, '/api/pets/p1', { method: 'DELETE' });
    expect(reply.status).toBe(200);
    expect(json<Echo>(reply)).toMatchObject({ method: 'DELETE', url: '/api/pets/p1', body: '' });
  });
});

describe('early answers', () => {
  it('when an upstream answers before reading a 10 MB body, the client gets that answer and its kept-alive connection stays usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = Buffer.alloc(10 * 1024 * 1024, 'a');
      const early = await send(f.gateway.url, '/auth/register', {
        body,
        agent,
        headers: { 'x-test-mode': 'early-413' },
      });
      expect(early.status).toBe(413);
      expect(json(early)).toEqual({ error: 'payload_too_large' });
      expect((await send(f.gateway.url, '/auth/me', { agent })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe('multi-byte UTF-8 (F02)', () => {
  it('when bodies hold multi-byte UTF-8, they round-trip byte-exactly and the kept-alive connection stays in step', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const register = JSON.stringify({ email: 'zoë@example.test', password: MULTI_BYTE });
      const first = await send(f.gateway.url, '/auth/register', { body: register, agent });
      const pet = JSON.stringify({ name: MULTI_BYTE, species: '猫' });
      const second = await send(f.gateway.url, '/api/pets', { body: Buffer.from(pet), agent });
      const third = await send(f.gateway.url, '/api/pets?after=second', { agent });

      expect(Buffer.from(json<Echo>(first).bodyBase64, 'base64').equals(Buffer.from(register))).toBe(true);
      expect(json<Echo>(first).body).toBe(register);
      expect(json<Echo>(second).body).toBe(pet);
      expect(json<Echo>(third)).toMatchObject({ method: 'GET', url: '/api/pets?after=second', body: '' });
      expect([second.reusedSocket, third.reusedSocket]).toEqual([true, true]);
    } finally {
      agent.destroy();
    }
  });
});

describe('request smuggling', () => {
  function rawExchange(request: string): Promise<string> {
    const { hostname, port } = new URL(f.gateway.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('utf8');
        if (/\r\n\r\n[\s\S]*\}$/.test(answer)) socket.end(); // the whole JSON answer is in
      });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('when a DELETE carries a chunked body, it is refused with 400 invalid_request and nothing is smuggled upstream', async () => {
    const inner = 'GET /api/pets/smuggled HTTP/1.1\r\nHost: pets\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n';
    const chunked = `${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`;
    const answer = await rawExchange(
      `DELETE /api/pets/1 HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"error":"invalid_request"');
    expect(f.pets.seen.map((seen) => seen.url)).not.toContain('/api/pets/smuggled');
  });
});
