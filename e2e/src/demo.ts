import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { HttpClient, type Reply } from '@toypetme/test-kit';

/**
 * `npm run demo -- <gateway-url>`: walks the whole hybrid flow against a running stack, printing
 * each step, and exits non-zero when any answer differs from the contract.
 */
const base = process.argv[2] ?? 'http://127.0.0.1:8080';
let failures = 0;

function step(title: string, reply: Reply, expected: number, detail = '', holds = true): void {
  const ok = reply.status === expected && holds;
  if (!ok) failures += 1;
  const code =
    typeof (reply.body as { error?: unknown })?.error === 'string'
      ? ` ${(reply.body as { error: string }).error}`
      : '';
  console.log(
    `${ok ? '✓' : '✗'} ${title}\n    → ${reply.status}${code}${ok ? '' : ` (expected ${expected})`}${detail ? `\n    ${detail}` : ''}`,
  );
}

interface TokenPair {
  token: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

function tamper(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
  return `${header}.${forged}.${signature}`;
}

async function main(): Promise<void> {
  console.log(`ToyPetMe hybrid auth demo against ${base}\n`);
  const web = new HttpClient(base);
  const email = `demo.${randomBytes(4).toString('hex')}@example.test`;
  const password = `demo-${randomBytes(8).toString('hex')}`;

  step(`Register ${email} (POST /auth/register)`, await web.post('/auth/register', { email, password }), 201);
  const login = await web.post('/auth/login', { email, password });
  step(
    'Log in on the web (POST /auth/login)',
    login,
    200,
    `cookie: ${[...web.cookies.keys()].join(', ')} (HttpOnly, opaque id)`,
  );
  step('Who am I with the cookie (GET /auth/me)', await web.get('/auth/me'), 200);

  const tokenReply = await web.get<TokenPair>('/api/token');
  step(
    'Exchange the session for an access token (GET /api/token)',
    tokenReply,
    200,
    `expiresIn: ${tokenReply.body?.expiresIn}s, Cache-Control: ${tokenReply.headers.get('cache-control')}`,
  );
  const token = tokenReply.body?.token ?? '';

  const app = new HttpClient(base); // the mobile app: no cookies, only the token
  step(
    'Create a pet with the token (POST /api/pets)',
    await app.post('/api/pets', { name: 'Biscuit', species: 'dog' }, { bearer: token }),
    201,
  );
  const pets = await app.get<{ pets: unknown[] }>('/api/pets', { bearer: token });
  step('List my pets with the token (GET /api/pets)', pets, 200, `pets: ${JSON.stringify(pets.body?.pets)}`);

  console.log('\n  Token header:', JSON.stringify(decodeProtectedHeader(token)));
  console.log('  Token claims:', JSON.stringify(decodeJwt(token)));
  const jwks = await app.get<JSONWebKeySet>('/.well-known/jwks.json');
  step(
    'Fetch the public keys (GET /.well-known/jwks.json)',
    jwks,
    200,
    `kids: ${jwks.body?.keys.map((k) => k.kid).join(', ')}`,
  );
  try {
    // Each key announces its algorithm (RS256 by default; ES256 or EdDSA when JWT_ALG says so), and
    // jose accepts a token only with the alg its kid announces.
    const announced = [...new Set(jwks.body?.keys.map((k) => k.alg).filter((alg) => alg !== undefined))];
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
      algorithms: announced,
      typ: 'at+jwt',
    });
    console.log(
      `✓ Verified the ${protectedHeader.alg} signature offline against the JWKS (sub ${payload.sub}, iss ${payload.iss})`,
    );
  } catch (err) {
    failures += 1;
    console.log(`✗ Offline verification failed: ${(err as Error).message}`);
  }

  console.log('\nRefresh tokens (the app stays signed in without the cookie):');
  const first = tokenReply.body?.refreshToken ?? '';
  const rotated = await app.post<TokenPair>('/api/token/refresh', { refreshToken: first });
  step(
    'Refresh: spend the refresh token for a new pair (POST /api/token/refresh)',
    rotated,
    200,
    `new refresh token: ${rotated.body?.refreshToken !== first ? 'yes' : 'NO'}`,
    rotated.body?.refreshToken !== first,
  );
  const replayed = await app.post<TokenPair>('/api/token/refresh', { refreshToken: first });
  step(
    'Grace replay: the same token again at once (a lost response)',
    replayed,
    200,
    `identical pair: ${replayed.text === rotated.text ? 'yes' : 'NO'}`,
    replayed.text === rotated.text,
  );
  const onward = await app.post<TokenPair>('/api/token/refresh', {
    refreshToken: rotated.body?.refreshToken,
  });
  step('The app moves on with its successor', onward, 200);
  step(
    'Reuse: the first token once more, after its successor was used (theft)',
    await app.post('/api/token/refresh', { refreshToken: first }),
    401,
  );
  step(
    '…which revoked the whole family: the newest token is dead too',
    await app.post('/api/token/refresh', { refreshToken: onward.body?.refreshToken }),
    401,
  );

  console.log('\nThe failure cases:');
  step('No token (GET /api/pets)', await app.get('/api/pets'), 401);
  step(
    'Basic credentials instead of a token',
    await app.get('/api/pets', { headers: { authorization: 'Basic ZGVtbzpkZW1v' } }),
    401,
  );
  step('A token whose claims were edited', await app.get('/api/pets', { bearer: tamper(token) }), 403);
  step('Garbage as a token', await app.get('/api/pets', { bearer: 'not.a.jwt' }), 403);

  console.log('\nLogging out:');
  const cookie = web.cookieHeader();
  const laterPair = (await web.get<TokenPair>('/api/token')).body;
  step('Log out (POST /auth/logout)', await web.post('/auth/logout'), 204);
  step(
    "The session's refresh tokens are revoked too",
    await app.post('/api/token/refresh', { refreshToken: laterPair?.refreshToken }),
    401,
  );
  step(
    'The old cookie asks for a token (GET /api/token)',
    await new HttpClient(base).get('/api/token', { headers: { cookie } }),
    401,
  );
  step(
    'The old cookie asks who it is (GET /auth/me)',
    await new HttpClient(base).get('/auth/me', { headers: { cookie } }),
    401,
  );

  console.log(
    failures === 0
      ? '\nAll steps answered as the contract says.'
      : `\n${failures} step(s) did not answer as the contract says.`,
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  // Only a connection failure means no stack; any other failure is an answer shown above.
  if (err instanceof TypeError && err.message === 'fetch failed')
    console.error(`Is the stack running? Start it with: npm start (gateway at ${base})`);
  process.exitCode = 1;
});
