import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeProtectedHeader } from 'jose';
import { HttpClient } from '@toypetme/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/ports.js';
import { SUITE_ALG, type Stack } from '../src/stack.js';
import { api, PASSWORD, redisStack, signUp, uniqueEmail, type Person } from './support.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const run = promisify(execFile);

/** Short enough that two rotations and a retirement fit in a test; the policy checks still hold. */
const FAST_KEYS = {
  JWT_KEY_PROPAGATION: '3s',
  JWKS_MAX_AGE: '1s',
  JWT_EXPIRATION: '4s',
  JWT_CLOCK_TOLERANCE: '1s',
  JWKS_COOLDOWN: '1s',
};

interface Jwks {
  keys: { kid: string; alg: string }[];
}

const kidOf = (token: string): string => decodeProtectedHeader(token).kid ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Real traffic through the gateway: each worker takes a token from its web session and opens
 * /api/pets with it and with its previous one, while a poller watches the JWKS. Every answer that
 * is not 200 is a failure.
 */
class Traffic {
  readonly failures: string[] = [];
  readonly kids: string[] = [];
  readonly firstSigned = new Map<string, number>();
  readonly firstPublished = new Map<string, number>();
  readonly maxAges = new Set<string>();
  published: string[] = [];
  verified = 0;
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly stack: Stack,
    people: Person[],
  ) {
    this.loops = [...people.map((person) => this.work(person)), this.watchJwks()];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  async until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  private async work(person: Person): Promise<void> {
    let previous: string | undefined;
    while (this.running) {
      const issued = await person.web.get<{ token: string }>('/api/token');
      if (issued.status !== 200) {
        this.failures.push(`GET /api/token: ${issued.status} ${issued.text}`);
        continue;
      }
      const token = issued.body.token;
      const kid = kidOf(token);
      if (!this.firstSigned.has(kid)) {
        this.firstSigned.set(kid, Date.now());
        this.kids.push(kid);
      }
      for (const candidate of previous === undefined ? [token] : [token, previous]) {
        const pets = await api(this.stack).get('/api/pets', { bearer: candidate });
        if (pets.status === 200) this.verified += 1;
        else this.failures.push(`GET /api/pets with kid ${kidOf(candidate)}: ${pets.status} ${pets.text}`);
      }
      previous = token;
    }
  }

  private async watchJwks(): Promise<void> {
    while (this.running) {
      const jwks = await api(this.stack).get<Jwks>('/.well-known/jwks.json');
      if (jwks.status !== 200) this.failures.push(`JWKS: ${jwks.status}`);
      else {
        this.published = jwks.body.keys.map((key) => key.kid);
        for (const kid of this.published)
          if (!this.firstPublished.has(kid)) this.firstPublished.set(kid, Date.now());
        this.maxAges.add(jwks.headers.get('cache-control') ?? '');
      }
      await sleep(100);
    }
  }
}

async function people(stack: Stack, count: number): Promise<Person[]> {
  return Promise.all(Array.from({ length: count }, () => signUp(stack)));
}

/** Every key that signed was in the JWKS (as the gateway serves it) before its first token. */
function expectPublishedAhead(traffic: Traffic): void {
  for (const kid of traffic.kids.slice(1)) {
    expect(traffic.firstPublished.get(kid), `kid ${kid} published`).toBeDefined();
    expect(traffic.firstPublished.get(kid)!).toBeLessThan(traffic.firstSigned.get(kid)!);
  }
}

describe('when auth rotates its key on schedule under traffic', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await redisStack({ env: { ...FAST_KEYS, JWT_KEY_ROTATION: '6s' } });
  });
  afterAll(() => stack?.close());

  it('two rotations pass with zero failed verifications, and the first key leaves the JWKS after its tokens expired', async () => {
    const traffic = new Traffic(stack, await people(stack, 3));
    try {
      await traffic.until(() => traffic.kids.length >= 3, 40_000, 'two rotations');
      const [first, second, third] = traffic.kids as [string, string, string];
      await traffic.until(() => !traffic.published.includes(first), 15_000, `retirement of ${first}`);
      expect(traffic.published).toContain(third);
      expect([first, second, third]).toHaveLength(new Set([first, second, third]).size);
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures).toEqual([]);
    expect(traffic.verified).toBeGreaterThan(20);
    expectPublishedAhead(traffic);
    // JWKS_MAX_AGE=1s, and never longer than the time to the next key change.
    expect([...traffic.maxAges].every((value) => /^public, max-age=[01]$/.test(value))).toBe(true);
  }, 90_000);
});

describe('when an operator rotates with `npm run keys` under traffic', () => {
  let stack: Stack;
  const keys = (...args: string[]) =>
    run(process.execPath, [join(ROOT, 'services/auth/dist/cli/keys.js'), ...args], { env: stack.env });

  beforeAll(async () => {
    stack = await redisStack({ env: FAST_KEYS });
  });
  afterAll(() => stack?.close());

  it('two `rotate`s pass with zero failed verifications; the replaced key leaves after the retire delay', async () => {
    const traffic = new Traffic(stack, await people(stack, 3));
    try {
      await traffic.until(() => traffic.kids.length >= 1, 10_000, 'the first token');
      for (const round of [2, 3]) {
        expect((await keys('rotate')).stdout).toMatch(/^create \S+/m);
        await traffic.until(() => traffic.kids.length >= round, 15_000, `rotation ${round - 1}`);
      }
      const first = traffic.kids[0]!;
      await traffic.until(() => !traffic.published.includes(first), 15_000, `retirement of ${first}`);
      const listed = (await keys('list')).stdout;
      // Gone from the store, or at most awaiting removal at the next maintenance.
      expect(listed).not.toMatch(new RegExp(`${first}\\s+\\S+\\s+(signing|published|retired)`));
      expect(listed).toMatch(new RegExp(`${traffic.kids[2]!}\\s+${SUITE_ALG}\\s+signing`));
    } finally {
      await traffic.stop();
    }
    expect(traffic.failures).toEqual([]);
    expectPublishedAhead(traffic);
  }, 90_000);
});

interface AuthProcess {
  child: ChildProcess;
  /** Set once it answers /healthz; undefined if it exited instead. */
  url: string | undefined;
  output: () => string;
}

/** Another auth process on the stack's Redis keys, with `env` on top of the stack's. */
async function startAuth(stack: Stack, env: Record<string, string> = {}): Promise<AuthProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'services/auth/dist/main.js')], {
    env: { ...stack.env, ...env, AUTH_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200 && child.exitCode === null; i += 1) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { child, url, output: () => output };
    await sleep(100);
  }
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  return { child, url: undefined, output: () => output };
}

/** Registers, logs in and takes a token directly at one auth process. */
async function tokenAt(url: string): Promise<string> {
  const direct = new HttpClient(url);
  const email = uniqueEmail('direct');
  expect((await direct.post('/auth/register', { email, password: PASSWORD })).status).toBe(201);
  expect((await direct.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
  const issued = await direct.get<{ token: string }>('/api/token');
  expect(issued.status).toBe(200);
  return issued.body.token;
}

describe('when auth restarts or a second replica joins (managed keys in Redis)', () => {
  let stack: Stack;
  let replica: ChildProcess | undefined;
  beforeAll(async () => {
    stack = await redisStack();
  });
  afterAll(async () => {
    replica?.kill('SIGTERM');
    await stack?.close();
  });

  it('every earlier token stays valid and both sign with the same current key', async () => {
    const before = await signUp(stack);
    const jwksBefore = await api(stack).get<Jwks>('/.well-known/jwks.json');

    expect(await stack.stop('auth')).toBe(0);
    await stack.start('auth');
    expect((await api(stack).get('/api/pets', { bearer: before.token })).status).toBe(200);
    const afterRestart = await before.web.get<{ token: string }>('/api/token');
    expect(kidOf(afterRestart.body.token)).toBe(kidOf(before.token));

    const second = await startAuth(stack);
    replica = second.child;
    expect(second.url, second.output()).toBeDefined();
    const fromReplica = await tokenAt(second.url!);
    expect(kidOf(fromReplica)).toBe(kidOf(before.token));
    expect((await api(stack).get('/api/pets', { bearer: fromReplica })).status).toBe(200);
    const replicaJwks = await new HttpClient(second.url!).get<Jwks>('/.well-known/jwks.json');
    expect(replicaJwks.body.keys.map((key) => key.kid)).toEqual(jwksBefore.body.keys.map((key) => key.kid));
  });
});

describe('when JWT_SECRET changes (managed keys in Redis)', () => {
  const FIRST = 'e2e-first-secret-of-at-least-32-chars';
  let stack: Stack;
  let replica: ChildProcess | undefined;
  beforeAll(async () => {
    stack = await redisStack({ env: { JWT_SECRET: FIRST } });
  });
  afterAll(async () => {
    replica?.kill('SIGTERM');
    await stack?.close();
  });

  it('a wrong secret stops start-up naming the problem; with JWT_SECRET_PREVIOUS every key is kept', async () => {
    const before = await signUp(stack);

    const wrong = await startAuth(stack, { JWT_SECRET: 'e2e-wrong-secret-of-at-least-32-chars' });
    expect(wrong.url).toBeUndefined();
    expect(wrong.child.exitCode).toBe(1);
    expect(wrong.output()).toMatch(/JWT_SECRET/);

    const changed = await startAuth(stack, {
      JWT_SECRET: 'e2e-second-secret-of-at-least-32-chars',
      JWT_SECRET_PREVIOUS: FIRST,
    });
    replica = changed.child;
    expect(changed.url, changed.output()).toBeDefined();
    const token = await tokenAt(changed.url!);
    expect(kidOf(token)).toBe(kidOf(before.token));
    expect((await api(stack).get('/api/pets', { bearer: token })).status).toBe(200);
    expect((await api(stack).get('/api/pets', { bearer: before.token })).status).toBe(200);
  });
});
