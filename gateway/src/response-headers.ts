import type { IncomingMessage } from 'node:http';

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

/**
 * Adjusts an upstream response before http-proxy copies it to the client. `Connection` is
 * dropped so http-proxy answers with the client's own preference; `Keep-Alive` stays, because
 * Node's agent reads the upstream's idle-timeout hint from it when the response ends.
 */
export function adjustResponseHeaders(proxyRes: IncomingMessage, internalOrigins: ReadonlySet<string>): void {
  const { headers } = proxyRes;
  delete headers.connection;
  if (headers.location !== undefined) headers.location = publicLocation(headers.location, internalOrigins);
}
