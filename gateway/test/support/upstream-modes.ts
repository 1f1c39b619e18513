import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the echo upstream answers by default: what reached it. */
export interface Echo {
  upstream: string;
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
  bodyBase64: string;
}

/** What a response depends on besides the request. */
export interface UpstreamState {
  name: string;
  /** Status `/healthz` answers with. */
  healthStatus: number;
}

function header(seen: SeenRequest, name: string): string | undefined {
  const value = seen.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  extra: Record<string, string | string[]> = {},
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function echo(upstream: UpstreamState, seen: SeenRequest): Echo {
  const { method, url, headers, body } = seen;
  return {
    upstream: upstream.name,
    method,
    url,
    headers: headers as Echo['headers'],
    body: body.toString('utf8'),
    bodyBase64: body.toString('base64'),
  };
}

/** Status, body and `x-test-cookies` Set-Cookie lines, as a service would answer (F03). */
function statusReply(res: ServerResponse, seen: SeenRequest, extra: Record<string, string | string[]>): void {
  const status = Number(header(seen, 'x-test-status') ?? 200);
  const cookies = Array.from(
    { length: Number(header(seen, 'x-test-cookies') ?? 0) },
    (_, i) => `c${i}=v${i}; Path=/; HttpOnly`,
  );
  if (cookies.length > 0) extra['set-cookie'] = cookies;
  if (status === 204) {
    res.writeHead(204, extra);
    res.end();
    return;
  }
  sendJson(res, status, { status, error: status >= 400 ? 'email_taken' : undefined }, extra);
}

/** Starts a partial body, then breaks (`die-mid-body`) or stops writing (`stall-mid-body`). */
function partialBody(res: ServerResponse, mode: string): void {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100 });
  res.write('partial');
  if (mode === 'die-mid-body') setTimeout(() => res.socket?.destroy(), 20);
}

/** Writes a chunk every 25 ms for about two seconds (something to cut off mid-response). */
function trickle(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  let left = 80;
  const timer = setInterval(() => {
    if (res.destroyed || left-- === 0) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write('chunk\n');
  }, 25);
}

/**
 * Answers as `x-test-mode` asks: `echo` (default, after `x-test-delay` ms), `status`, `redirect`,
 * `hang`, `close`, `die-mid-body`, `stall-mid-body`, `trickle` or `own-cors` (an upstream that
 * sends CORS headers of its own, which the gateway must not pass on).
 */
export function respond(
  upstream: UpstreamState,
  seen: SeenRequest,
  res: ServerResponse,
  extra: Record<string, string>,
): void {
  const mode = header(seen, 'x-test-mode') ?? 'echo';
  if (seen.url === '/healthz') return sendJson(res, upstream.healthStatus, { status: 'ok' }, extra);
  if (mode === 'hang') return;
  if (mode === 'close') return void res.socket?.destroy();
  if (mode === 'status') return statusReply(res, seen, extra);
  if (mode === 'redirect')
    return void res.writeHead(302, { ...extra, location: header(seen, 'x-test-location') ?? '/' }).end();
  if (mode === 'die-mid-body' || mode === 'stall-mid-body') return partialBody(res, mode);
  if (mode === 'trickle') return trickle(res);
  if (mode === 'own-cors') {
    const own = { 'access-control-allow-origin': '*', 'access-control-allow-credentials': 'true' };
    return sendJson(res, 200, { ok: true }, { ...extra, ...own, vary: 'Accept-Encoding' });
  }
  const delay = Number(header(seen, 'x-test-delay') ?? 0);
  setTimeout(() => sendJson(res, 200, echo(upstream, seen), extra), delay);
}
