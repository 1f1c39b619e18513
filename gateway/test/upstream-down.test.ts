import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectJsonError, send } from './support/client.js';
import { startFrozenUpstream, type FrozenUpstream } from './support/frozen.js';
import { startGateway, type TestGateway } from './support/gateway.js';
import { refusingUrl, startUpstream, type TestUpstream } from './support/upstream.js';

// F06: a stopped, unreachable or frozen pets service. The contract bounds (502 within 2 s, 504
// within the configured bound) are enforced by the test timeouts, never by measuring.
let auth: TestUpstream;
let frozen: FrozenUpstream[] = [];

beforeAll(async () => {
  auth = await startUpstream('auth');
});

afterAll(async () => {
  for (const upstream of frozen) upstream.close();
  await auth.close();
});

/** A gateway whose pets upstream is `petsUrl`, stopped after the enclosing describe. */
function useGateway(petsUrl: () => Promise<string>, env: Record<string, string> = {}): { url: string } {
  const handle = { url: '' };
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway({ AUTH_URL: auth.url, PETS_URL: await petsUrl(), ...env });
    handle.url = gateway.url;
  });
  afterAll(() => gateway.close());
  return handle;
}

async function frozenUrl(fullBacklog: boolean): Promise<string> {
  const upstream = await startFrozenUpstream({ fullBacklog });
  frozen = [...frozen, upstream];
  return upstream.url;
}

describe('when pets is stopped', () => {
  const gateway = useGateway(refusingUrl);

  it(
    'when pets refuses connections, the client gets 502 upstream_unavailable',
    { timeout: 4000 },
    async () => {
      expectJsonError(await send(gateway.url, '/api/pets'), 502, 'upstream_unavailable');
    },
  );

  it('when auth is asked meanwhile, auth keeps answering', async () => {
    expect((await send(gateway.url, '/auth/me')).status).toBe(200);
  });

  it('when a body was on its way, the 502 leaves the kept-alive connection usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = JSON.stringify({ name: 'x'.repeat(50_000) });
      expectJsonError(await send(gateway.url, '/api/pets', { body, agent }), 502, 'upstream_unavailable');
      expect((await send(gateway.url, '/auth/me', { agent })).status).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});

describe('when pets cannot be connected to', () => {
  const gateway = useGateway(() => frozenUrl(true), { UPSTREAM_CONNECT_TIMEOUT: '300ms' });

  it(
    'when connecting outlasts UPSTREAM_CONNECT_TIMEOUT, the client gets 502 upstream_unavailable',
    { timeout: 4000 },
    async () => {
      expectJsonError(await send(gateway.url, '/api/pets'), 502, 'upstream_unavailable');
    },
  );
});

describe('when pets is frozen', () => {
  const gateway = useGateway(() => frozenUrl(false), { UPSTREAM_TIMEOUT: '400ms' });

  it(
    'when pets does not answer within UPSTREAM_TIMEOUT, the client gets 504 upstream_timeout while auth keeps answering',
    { timeout: 4000 },
    async () => {
      const pending = send(gateway.url, '/api/pets/p1');
      expect((await send(gateway.url, '/auth/me')).status).toBe(200);
      expectJsonError(await pending, 504, 'upstream_timeout');
    },
  );

  it(
    'when a big body waits for frozen pets to read it, the client gets 504 upstream_timeout, not 408 (the held-back body is not its stall)',
    { timeout: 8000 },
    async () => {
      // More than loopback's socket buffers hold: the gateway has to stop reading the client.
      const body = Buffer.alloc(48 * 1024 * 1024, 'a');
      expectJsonError(await send(gateway.url, '/api/pets', { body }), 504, 'upstream_timeout');
    },
  );
});
