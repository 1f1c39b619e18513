import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** Whether the request went over a kept-alive connection. */
  reusedSocket: boolean;
  /** Whether the server sent `100 Continue` first. */
  continued: boolean;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  /** Sent with a Content-Length. */
  body?: string | Buffer;
  /** Sent chunked (no Content-Length), one write per chunk. */
  chunks?: (string | Buffer)[];
  /** Send `Expect: 100-continue` and hold the body back until the server says continue. */
  expectContinue?: boolean;
  agent?: Agent | false;
}

function writeBody(req: ReturnType<typeof request>, options: SendOptions): void {
  if (options.chunks !== undefined) {
    for (const chunk of options.chunks) req.write(chunk);
    req.end();
  } else req.end(options.body);
}

function headersFor(options: SendOptions): Record<string, string | string[] | number> {
  const headers: Record<string, string | string[] | number> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
  if (options.expectContinue === true) headers.expect = '100-continue';
  return headers;
}

/** A plain node:http request, for exact control over path, framing, headers and connections. */
export function send(baseUrl: string, path: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const { hostname, port } = new URL(baseUrl);
    // host/port/path rather than a URL: the path goes out exactly as given (no dot-segment cleanup).
    const req = request({
      hostname,
      port,
      path,
      method: options.method ?? ((options.body ?? options.chunks) ? 'POST' : 'GET'),
      headers: headersFor(options),
      agent: options.agent ?? false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        resolve({
          status,
          headers: res.headers,
          body,
          text: body.toString('utf8'),
          reusedSocket: req.reusedSocket,
          continued,
        });
      });
    });
    if (options.expectContinue === true) {
      req.flushHeaders();
      req.on('continue', () => {
        continued = true;
        writeBody(req, options);
      });
    } else writeBody(req, options);
  });
}

/** The JSON body of a reply. */
export function json<T = Record<string, unknown>>(reply: Reply): T {
  return JSON.parse(reply.text) as T;
}

/** A gateway error: the status, a JSON `{error, message, requestId}` body, the echoed request id. */
export function expectJsonError(reply: Reply, status: number, error: string): void {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/application\/json/);
  const body = json(reply);
  expect(body).toMatchObject({ error, requestId: reply.headers['x-request-id'] });
  expect(typeof body.message).toBe('string');
}
