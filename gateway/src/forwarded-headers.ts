import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import proxyaddr from 'proxy-addr';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe the client's connection, not the request.
 * `Expect` is answered by the gateway's own server (it sends `100 Continue`); forwarding it would
 * also stop http-proxy from emitting `proxyReq` (F01).
 */
const HOP_BY_HOP = ['keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect'];

/** Message framing and routing: a client naming these in `Connection` must not break the body. */
const PROTECTED = new Set(['host', 'content-length', 'transfer-encoding']);

/** Every header a client could use to pose as someone else; the gateway alone sets them. */
const CLIENT_POSITION = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-real-ip',
];

function tokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

function lastValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined?.split(',').at(-1)?.trim().toLowerCase();
}

/**
 * Removes hop-by-hop headers (and any the client named in `Connection`) and leaves `Connection`
 * saying only whether the client wants to keep its connection: http-proxy mirrors it in the
 * response, while the upstream request always asks for keep-alive (see upstream-proxy.ts).
 */
function stripHopByHop(req: IncomingMessage): void {
  const { headers } = req;
  const named = tokens(headers.connection).filter((name) => !PROTECTED.has(name));
  const keepAlive = !named.includes('close') && (req.httpVersion !== '1.0' || named.includes('keep-alive'));
  for (const name of [...named, ...HOP_BY_HOP]) delete headers[name];
  headers.connection = keepAlive ? 'keep-alive' : 'close';
}

interface ForwardedValues {
  for: string;
  proto: string;
  host: string | undefined;
}

/**
 * Decides who the client is: the socket peer, or (only when the peer is a trusted proxy in
 * front, GATEWAY_TRUSTED_PROXIES) the address and scheme that proxy reports.
 */
function forwardedValues(req: IncomingMessage, trust: ReturnType<typeof proxyaddr.compile>): ForwardedValues {
  const ownProto = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  const peerTrusted = trust(req.socket.remoteAddress ?? '', 0);
  const claimedProto = peerTrusted ? lastValue(req.headers['x-forwarded-proto']) : undefined;
  return {
    for: proxyaddr(req, trust),
    proto: claimedProto === 'https' || claimedProto === 'http' ? claimedProto : ownProto,
    host: req.headers.host,
  };
}

/**
 * Returns a function that rewrites an incoming request's headers into what the upstream gets.
 * X-Forwarded-For/-Proto/-Host are overwritten, never appended to: services trust them because
 * they come from the gateway, so a client-supplied value must never survive (CONTRACT "Failure
 * and abuse"). Headers are set on the incoming request, not in `proxyReq`, because http-proxy
 * copies them when it builds the upstream request (no race with the body stream).
 */
export function forwardedHeaders(
  trustedProxies: readonly string[],
): (req: IncomingMessage, requestId: string) => void {
  const trust = proxyaddr.compile([...trustedProxies]);
  return (req, requestId) => {
    const values = forwardedValues(req, trust);
    stripHopByHop(req);
    const headers: IncomingHttpHeaders = req.headers;
    for (const name of CLIENT_POSITION) delete headers[name];
    headers['x-forwarded-for'] = values.for;
    headers['x-forwarded-proto'] = values.proto;
    if (values.host !== undefined) headers['x-forwarded-host'] = values.host;
    headers['x-request-id'] = requestId;
  };
}
