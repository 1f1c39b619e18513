import { request, type IncomingHttpHeaders } from 'node:http';

export interface AddressReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  setCookies: string[];
}

export interface AddressRequest {
  method?: string;
  json?: unknown;
  headers?: Record<string, string>;
}

/**
 * Requests whose TCP connection really comes from `address` (any of 127.0.0.0/8 on Linux), so
 * the gateway sees another client at its socket: the honest way to be "someone else" on one
 * machine, without trusting any header.
 */
export function fromAddress(baseUrl: string, address: string) {
  return (
    path: string,
    { method = 'POST', json, headers = {} }: AddressRequest = {},
  ): Promise<AddressReply> =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(baseUrl);
      const body = json === undefined ? undefined : JSON.stringify(json);
      const req = request({
        hostname,
        port,
        path,
        method,
        localAddress: address,
        agent: false,
        headers: {
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          ...headers,
        },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
            setCookies: res.headers['set-cookie'] ?? [],
          });
        });
      });
      req.end(body);
    });
}
