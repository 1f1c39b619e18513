import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartName, Stack } from '../src/stack.js';
import { rawConnection, refusesConnections } from './raw-http.js';
import { api, PASSWORD, redisStack, signUp, uniqueEmail } from './support.js';

// Issue 5 point 7 with the real processes: SIGTERM stops accepting, lets the request in flight
// finish with its normal answer, and exits 0, bounded by SHUTDOWN_TIMEOUT.
const SHUTDOWN_TIMEOUT_MS = 4000;

let stack: Stack;
beforeAll(async () => {
  stack = await redisStack({ env: { SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_MS}ms` } });
});
afterAll(() => stack?.close());

interface SlowRequest {
  /** Sends the rest of the body and resolves to the raw response once it is complete. */
  finish(): Promise<string>;
  /** What has arrived so far. */
  received(): string;
  /** Resolves when the server closes the connection (the client never does). */
  closed: Promise<void>;
}

/** Whether a raw HTTP/1.1 response has all its headers and Content-Length worth of body. */
function complete(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(raw.subarray(0, end).toString('latin1'))?.[1];
  return raw.length - end - 4 >= Number(length ?? 0);
}

/**
 * A JSON POST through the gateway whose body arrives in two parts, so it stays in flight
 * meanwhile, on a connection the client keeps open like any keep-alive client.
 */
async function slowPost(path: string, json: unknown, headers = ''): Promise<SlowRequest> {
  const body = JSON.stringify(json);
  const socket = await rawConnection(stack.gatewayUrl);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: gw\r\n${headers}Content-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 5)}`,
  );
  // Let the gateway open the upstream request before anything else happens.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const received = () => Buffer.concat(chunks);
  return {
    closed,
    received: () => received().toString('utf8'),
    finish: async () => {
      socket.write(body.slice(5));
      await expect.poll(() => complete(received()), { timeout: 5000, interval: 20 }).toBe(true);
      return received().toString('utf8');
    },
  };
}

function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
}

/** Polls until the part's port refuses new connections. */
async function expectRefusing(part: PartName): Promise<void> {
  const url = part === 'gateway' ? stack.gatewayUrl : stack.urls[part];
  await expect.poll(() => refusesConnections(url), { timeout: 2000, interval: 50 }).toBe(true);
}

async function expectPromptExit(exit: Promise<number | null>): Promise<void> {
  const started = Date.now();
  expect(await exit).toBe(0);
  // Well before SHUTDOWN_TIMEOUT: nothing was left to wait for once the request was answered.
  expect(Date.now() - started).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 2);
}

/** Sends SIGTERM to a part, runs the checks, and always restarts the part for the next test. */
async function afterSigterm(part: PartName, checks: (exit: Promise<number | null>) => Promise<void>) {
  const exit = stack.stop(part);
  try {
    await checks(exit);
  } finally {
    await exit;
    await stack.start(part);
  }
}

describe('SIGTERM with a request in flight', () => {
  it('when the gateway gets it, the gateway refuses new connections, answers the request in flight with 201 and exits 0', async () => {
    const { token } = await signUp(stack);
    const request = await slowPost(
      '/api/pets',
      { name: 'Slow', species: 'snail' },
      `Authorization: Bearer ${token}\r\n`,
    );
    await afterSigterm('gateway', async (exit) => {
      await expectRefusing('gateway');
      const answer = await request.finish();
      expect(statusOf(answer)).toBe(201);
      expect(answer).toContain('"name":"Slow"');
      await expectPromptExit(exit);
      await request.closed; // by the gateway, though the client kept it open
    });
    const listed = await api(stack).get<{ pets: { name: string }[] }>('/api/pets', { bearer: token });
    expect(listed.body.pets.map((pet) => pet.name)).toEqual(['Slow']);
  });

  it('when pets gets it, pets refuses new connections (the gateway answers 502), answers the request in flight with 201 and exits 0', async () => {
    const { token } = await signUp(stack);
    const request = await slowPost(
      '/api/pets',
      { name: 'Slow', species: 'snail' },
      `Authorization: Bearer ${token}\r\n`,
    );
    await afterSigterm('pets', async (exit) => {
      await expectRefusing('pets');
      const meanwhile = await api(stack).get('/api/pets', { bearer: token });
      expect(meanwhile.status).toBe(502);
      expect(meanwhile.body.error).toBe('upstream_unavailable');
      expect(statusOf(await request.finish())).toBe(201);
      await expectPromptExit(exit);
    });
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
  });

  it('when auth gets it, auth answers the registration in flight with 201, exits 0, and the account exists after a restart', async () => {
    const email = uniqueEmail('shutdown');
    const request = await slowPost('/auth/register', { email, password: PASSWORD });
    await afterSigterm('auth', async (exit) => {
      await expectRefusing('auth');
      expect(statusOf(await request.finish())).toBe(201);
      await expectPromptExit(exit);
    });
    expect((await api(stack).post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
  });

  it('when the request in flight never completes, pets still exits 0 once SHUTDOWN_TIMEOUT has passed, and the client gets an answer', async () => {
    const { token } = await signUp(stack);
    const request = await slowPost(
      '/api/pets',
      { name: 'Never', species: 'sloth' },
      `Authorization: Bearer ${token}\r\n`,
    );
    const started = Date.now();
    await afterSigterm('pets', async (exit) => {
      expect(await exit).toBe(0);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 100);
      expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 2000);
      // The gateway turns the cut upstream connection into its own JSON 502.
      await expect.poll(() => statusOf(request.received()), { timeout: 2000 }).toBe(502);
      expect(request.received()).toContain('"error":"upstream_unavailable"');
    });
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
  });
});
