import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import type { Logger } from './logger.js';
import { securityHeaderPairs } from './security-headers.js';

/** The headers every other response gets from helmet, for these answers too. */
const SECURITY_LINES = securityHeaderPairs().map(([name, value]) => `${name}: ${value}`);

interface Answer {
  code: ErrorCode;
  message: string;
}

/** What a request Node's parser rejected gets, by parser error code (Node's own statuses). */
function answerFor(errorCode: string | undefined): Answer | undefined {
  if (errorCode === 'ECONNRESET') return undefined;
  if (errorCode === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { code: 'request_timeout', message: 'The request did not arrive in time.' };
  }
  if (errorCode === 'HPE_HEADER_OVERFLOW') {
    return { code: 'headers_too_large', message: 'Request headers are too large.' };
  }
  if (errorCode === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return { code: 'payload_too_large', message: 'Chunk extensions are too large.' };
  }
  return { code: 'invalid_request', message: 'The request is not valid HTTP.' };
}

function rawResponse({ code, message }: Answer): string {
  const requestId = randomUUID();
  const status = ERROR_STATUS[code];
  const body = JSON.stringify({ error: code, message, requestId });
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    ...SECURITY_LINES,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Node's own rule: answer only when no response of this connection has started yet. */
function canAnswer(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return socket.writable && (inFlight == null || !inFlight.headersSent);
}

/**
 * Requests Node's parser rejects never reach Koa, so without this they would get Node's bare
 * text answers. Here they get the same JSON errors as everything else: oversized headers (over
 * Node's 16 KiB limit) a 431 `headers_too_large` (F09), malformed HTTP a 400. Like Node's
 * default, the answer is written and the connection dropped at once, rather than reading the
 * rest of a header that may be megabytes long; the server itself carries on. `serve` installs it
 * on every part's server.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const answer = answerFor(err.code);
    if (answer !== undefined && canAnswer(socket)) {
      logger.info({ cause: err.code }, 'request rejected by the HTTP parser');
      socket.write(rawResponse(answer));
    }
    socket.destroy();
  });
  // CONNECT never reaches Koa either, and without a listener Node just drops the connection.
  server.on('connect', (_req, socket: Socket) => {
    socket.end(rawResponse({ code: 'method_not_allowed', message: 'CONNECT is not supported.' }));
  });
}
