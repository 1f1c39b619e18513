import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../src/stack.js';
import { decodePart, foreignRsaKey, parts, signRs256 } from './forge.js';
import { api, redisStack, signUp } from './support.js';

// FIELD-CASES F20 with the real processes: auth's access log (LOG_LEVEL=info) shows every JWKS
// fetch pets makes, so the fetches an attacker can cause are counted where they land.
let stack: Stack;
beforeAll(async () => {
  stack = await redisStack({ env: { LOG_LEVEL: 'info' } });
});
afterAll(() => stack?.close());

/** JWKS requests auth logged between two instants (pino lines: one JSON object each). */
function jwksFetches(from: number, to: number): number {
  return stack
    .output('auth')
    .split('\n')
    .filter((line) => line.includes('/.well-known/jwks.json'))
    .map((line) => {
      try {
        return JSON.parse(line) as { time?: number; msg?: string };
      } catch {
        return {}; // the first line of the tail may be cut
      }
    })
    .filter((entry) => entry.msg === 'request' && (entry.time ?? 0) >= from && (entry.time ?? 0) <= to)
    .length;
}

describe('unknown kids (F20)', () => {
  it('when 200 tokens with random kids arrive, all are 403 invalid_token, auth sees at most 2 JWKS fetches, and genuine tokens keep answering 200 meanwhile', async () => {
    const { token } = await signUp(stack);
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
    const foreign = foreignRsaKey();
    const claims = decodePart(parts(token)[1]);
    const forged = Array.from({ length: 200 }, () =>
      signRs256(foreign, { alg: 'RS256', typ: 'at+jwt', kid: randomBytes(16).toString('base64url') }, claims),
    );
    const from = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      const started = Date.now();
      const [genuine, ...replies] = await Promise.all([
        api(stack).get('/api/pets', { bearer: token }),
        ...forged
          .slice(batch * 20, batch * 20 + 20)
          .map((jwt) => api(stack).get('/api/pets', { bearer: jwt })),
      ]);
      expect(genuine.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      for (const reply of replies) {
        expect(reply.status).toBe(403);
        expect(reply.body.error).toBe('invalid_token');
      }
    }
    const to = Date.now();
    // Within one JWKS_COOLDOWN (30 s): one refetch for the unknown kids, at most one more
    // background refresh; never one per token.
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last log lines arrive
    expect(to - from).toBeLessThan(30_000);
    expect(jwksFetches(from, to + 200)).toBeLessThanOrEqual(2);
  });
});
