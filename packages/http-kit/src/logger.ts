import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that must never reach a log line (SECURITY: no passwords, tokens, cookies or keys).
 * Request and response objects are never logged whole; these are a second line of defence.
 */
const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'refreshToken',
  '*.refreshToken',
  'privateKey',
  '*.privateKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  name: string;
  level?: string;
  /** A pino destination stream; tests pass one to read what was logged. */
  destination?: pino.DestinationStream;
  /** Human-readable lines through pino-pretty (a development dependency) instead of JSON. */
  pretty?: boolean;
}

const PRETTY = {
  target: 'pino-pretty',
  options: { colorize: true, singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
};

/**
 * Errors are logged by name, message and stack only: library errors carry more (ioredis puts the
 * failed command's arguments, such as a session id, on `err.command`).
 */
function safeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  return { type: err.name, message: err.message, stack: err.stack };
}

export function createLogger({ name, level = 'info', destination, pretty = false }: LoggerOptions): Logger {
  const options = {
    name,
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: safeError },
  };
  if (destination !== undefined) return pino(options, destination);
  return pretty ? pino({ ...options, transport: PRETTY }) : pino(options);
}
