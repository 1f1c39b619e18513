import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { deleteKeys, HttpClient } from '@toypetme/test-kit';
import { startStack, type Stack } from './stack.js';

/**
 * `npm run bench`: starts the real stack on loopback (Redis when BENCH_REDIS_URL is set, else the
 * memory stores), then loads one endpoint at a time and prints throughput and latency. Bounded:
 * BENCH_SECONDS (default 5) per endpoint, BENCH_CONNECTIONS (default 20) at once. BENCH_ALGS
 * (default RS256; e.g. RS256,ES256,EdDSA) runs every case once per signing algorithm.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const algorithms = (process.env.BENCH_ALGS ?? 'RS256').split(',').map((alg) => alg.trim());

interface Case {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

async function prepare(stack: Stack, alg: string): Promise<Case[]> {
  const web = new HttpClient(stack.gatewayUrl);
  const email = `bench.${Date.now()}@example.test`;
  await web.post('/auth/register', { email, password: 'bench password 1' });
  await web.post('/auth/login', { email, password: 'bench password 1' });
  const { token } = (await web.get<{ token: string }>('/api/token')).body;
  const bearer = { authorization: `Bearer ${token}` };
  await web.post('/api/pets', { name: 'Bench', species: 'cat' }, { bearer: token });
  return [
    { name: 'JWKS via gateway (proxy only)', url: `${stack.gatewayUrl}/.well-known/jwks.json` },
    {
      name: 'GET /api/pets direct to pets (verify + read)',
      url: `${stack.urls.pets}/api/pets`,
      headers: bearer,
    },
    {
      name: 'GET /api/pets via gateway (verify + read)',
      url: `${stack.gatewayUrl}/api/pets`,
      headers: bearer,
    },
    {
      name: `GET /api/token via gateway (session + ${alg} sign)`,
      url: `${stack.gatewayUrl}/api/token`,
      headers: { cookie: web.cookieHeader() },
    },
  ];
}

async function run(benchCase: Case): Promise<void> {
  const result = await autocannon({
    url: benchCase.url,
    headers: benchCase.headers,
    connections,
    duration: seconds,
  });
  const errors = result.non2xx + result.errors + result.timeouts;
  console.log(
    `${benchCase.name.padEnd(52)} ${result.requests.average.toFixed(0).padStart(7)} req/s   ` +
      `p50 ${String(result.latency.p50).padStart(4)} ms   p99 ${String(result.latency.p99).padStart(4)} ms   ` +
      `failed ${errors} of ${result.requests.total}`,
  );
}

async function benchAlgorithm(alg: string, redisUrl: string | undefined): Promise<void> {
  const env = { JWT_ALG: alg, JWT_ALGORITHMS: alg };
  const stack = await startStack(redisUrl === undefined ? { env } : { redisUrl, env });
  try {
    console.log(`\n${alg}:`);
    for (const benchCase of await prepare(stack, alg)) await run(benchCase);
  } finally {
    await stack.close();
    if (redisUrl !== undefined) {
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, `${stack.redisKeyPrefix}*`);
      redis.disconnect();
    }
  }
}

async function main(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL;
  console.log(
    `ToyPetMe bench: ${connections} connections, ${seconds}s per case, ${redisUrl ? `Redis ${redisUrl}` : 'memory stores'}`,
  );
  for (const alg of algorithms) await benchAlgorithm(alg, redisUrl);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
