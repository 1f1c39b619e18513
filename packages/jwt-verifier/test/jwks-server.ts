import type { JWK } from 'jose';
import { listen } from '@toypetme/test-kit';

export type JwksMode = 'ok' | 'error' | 'not-json' | 'malformed' | 'hang';

export interface JwksServer {
  url: string;
  /** How many requests reached the server. */
  requests: number;
  keys: JWK[];
  mode: JwksMode;
  /** Sent as the response's Cache-Control when set. */
  cacheControl: string | undefined;
  close(): Promise<void>;
}

/** A loopback JWKS endpoint whose answers the test controls, counting every request. */
export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const jwks: JwksServer = {
    url: '',
    requests: 0,
    keys,
    mode: 'ok',
    cacheControl: undefined,
    close: () => server.close(),
  };
  const server = await listen((_req, res) => {
    jwks.requests += 1;
    if (jwks.mode === 'hang') return;
    if (jwks.mode === 'error') return void res.writeHead(500).end('oops');
    res.setHeader('content-type', 'application/json');
    if (jwks.cacheControl !== undefined) res.setHeader('cache-control', jwks.cacheControl);
    if (jwks.mode === 'not-json') return void res.end('<html>not json</html>');
    if (jwks.mode === 'malformed') return void res.end('{"keys":"nope"}');
    res.end(JSON.stringify({ keys: jwks.keys }));
  });
  jwks.url = `${server.url}/.well-known/jwks.json`;
  return jwks;
}
