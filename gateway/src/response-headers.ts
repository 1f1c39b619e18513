import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An absolute Location pointing at an upstream's own origin becomes a relative path, so no
 * redirect ever sends a client to an internal host name (F05). A leading `//` is collapsed so
 * the result can never turn into a protocol-relative URL to another host.
 */
export function publicLocation(location: string, internalOrigins: ReadonlySet<string>): string {
  let url: URL;
  try {
    url = new URL(location, 'http://relative.invalid');
  } catch {
    return location;
  }
  if (!internalOrigins.has(url.origin)) return location;
  return `${url.pathname.replace(/^\/{2,}/, '/')}${url.search}${url.hash}`;
}

/** Both lists of a `Vary`, each name once (`*` stays as is). */
function mergeVary(ours: string, theirs: string): string {
  const names = new Map<string, string>();
  for (const name of `${ours},${theirs}`.split(',')) {
    const trimmed = name.trim();
    if (trimmed !== '') names.set(trimmed.toLowerCase(), trimmed);
  }
  return names.has('*') ? '*' : [...names.values()].join(', ');
}

/**
 * The gateway alone answers CORS (cors-policy.ts): Access-Control-* from an upstream never reach
 * a client, so an allowed origin sees exactly one Access-Control-Allow-Origin and an unlisted
 * one none. The gateway's `Vary: Origin` is kept alongside whatever the upstream varies on
 * (http-proxy would otherwise replace it).
 */
function keepGatewayCors(proxyRes: IncomingMessage, res: ServerResponse): void {
  const { headers } = proxyRes;
  for (const name of Object.keys(headers)) {
    if (name.startsWith('access-control-')) delete headers[name];
  }
  const ours = res.getHeader('vary');
  if (ours !== undefined && headers.vary !== undefined) headers.vary = mergeVary(String(ours), headers.vary);
}

/**
 * Adjusts an upstream response before http-proxy copies it to the client. `Connection` is
 * dropped so http-proxy answers with the client's own preference; `Keep-Alive` stays, because
 * Node's agent reads the upstream's idle-timeout hint from it when the response ends.
 */
export function adjustResponseHeaders(
  proxyRes: IncomingMessage,
  res: ServerResponse,
  internalOrigins: ReadonlySet<string>,
): void {
  const { headers } = proxyRes;
  delete headers.connection;
  if (headers.location !== undefined) headers.location = publicLocation(headers.location, internalOrigins);
  keepGatewayCors(proxyRes, res);
}
