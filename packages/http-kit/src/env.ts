import proxyaddr from 'proxy-addr';
import { parseDurationMs, parseDurationSeconds } from './duration.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown once, naming every bad variable, before anything listens. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads typed values from an environment, collecting every problem instead of stopping at the
 * first. Empty strings count as unset. Call `done()` after the last read: it throws ConfigError.
 */
export class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65535 });
  }

  /** A duration such as `15m` or `7d`, in seconds. */
  seconds(name: string, fallback: string, { min = 0 } = {}): number {
    const text = this.raw(name) ?? fallback;
    const parsed = parseDurationSeconds(text);
    if (parsed === undefined || parsed < min) {
      this.problems.push(`${name} must be a duration like 30s, 15m, 7d of at least ${min}s (got "${text}")`);
      return parseDurationSeconds(fallback) ?? 0;
    }
    return parsed;
  }

  /** A duration such as `500ms` or `5s` (a bare number is seconds, as everywhere), in milliseconds. */
  ms(name: string, fallback: string, { min = 0 } = {}): number {
    const text = this.raw(name) ?? fallback;
    const parsed = parseDurationMs(text);
    if (parsed === undefined || parsed < min) {
      this.problems.push(`${name} must be a duration like 500ms or 5s of at least ${min}ms (got "${text}")`);
      return parseDurationMs(fallback) ?? 0;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  list(name: string, fallback: readonly string[] = []): string[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** A proxy-addr trust list (`loopback`, IPs, CIDRs), checked now rather than at the first request. */
  trustList(name: string, fallback: readonly string[] = []): string[] {
    const list = this.list(name, fallback);
    try {
      proxyaddr.compile(list);
      return list;
    } catch (err) {
      this.problems.push(`${name}: ${(err as Error).message}`);
      return [...fallback];
    }
  }

  /** An absolute URL whose scheme is one of `schemes` (default http and https). */
  url(name: string, fallback?: string, schemes: readonly string[] = ['http', 'https']): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    if (!URL.canParse(value) || !schemes.includes(new URL(value).protocol.slice(0, -1))) {
      // URLs may carry credentials (redis://:password@host): never echo that part.
      const shown = value.replace(/\/\/[^/@]*@/, '//***@');
      this.problems.push(`${name} must be an absolute ${schemes.join(' or ')} URL (got "${shown}")`);
      return fallback;
    }
    return value;
  }

  /** REDIS_URL-style: redis:// or rediss://, unset meaning "no Redis". */
  redisUrl(name: string): string | undefined {
    return this.url(name, undefined, ['redis', 'rediss']);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** Settings every service shares: where it listens, how it logs, whom it trusts. */
export interface CommonConfig {
  readonly nodeEnv: string;
  readonly production: boolean;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  /** LOG_PRETTY: readable log lines for development (needs the pino-pretty dev dependency). */
  readonly logPretty: boolean;
  /** Peers whose X-Forwarded-* headers are believed (the gateway); proxy-addr syntax. */
  readonly trustedProxies: readonly string[];
  readonly shutdownTimeoutMs: number;
}

export function readCommon(reader: EnvReader, defaultPort: number, portVar = 'PORT'): CommonConfig {
  // An unknown value (Production, prod, staging) would silently skip every production check.
  const nodeEnv = reader.oneOf('NODE_ENV', ['development', 'test', 'production'], 'development');
  return {
    nodeEnv,
    production: nodeEnv === 'production',
    host: reader.string('HOST', '127.0.0.1'),
    port: reader.port(portVar, defaultPort),
    logLevel: reader.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    logPretty: reader.bool('LOG_PRETTY', false),
    trustedProxies: reader.trustList('TRUSTED_PROXIES', ['loopback']),
    shutdownTimeoutMs: reader.ms('SHUTDOWN_TIMEOUT', '10s', { min: 100 }),
  };
}
