import { EnvReader, readCommon, type CommonConfig, type Env } from '@toypetme/http-kit';

export interface GatewayConfig extends CommonConfig {
  /** Origins of the auth replicas (AUTH_URL, a comma-separated list). */
  readonly authUrls: readonly string[];
  /** Origins of the pets replicas (PETS_URL, a comma-separated list). */
  readonly petsUrls: readonly string[];
  /** UPSTREAM_DOWN_TIME: how long a replica that refused a connection gets no requests. */
  readonly upstreamDownMs: number;
  /** UPSTREAM_HEALTH_INTERVAL: how often each replica's /healthz is asked (0: never). */
  readonly upstreamHealthIntervalMs: number;
  /** UPSTREAM_TIMEOUT: how long an upstream may stay silent before the client gets 504. */
  readonly upstreamTimeoutMs: number;
  /** UPSTREAM_CONNECT_TIMEOUT: how long connecting may take before the client gets 502. */
  readonly upstreamConnectTimeoutMs: number;
  /**
   * GATEWAY_TRUSTED_PROXIES (proxy-addr syntax, default none): a TLS proxy in front of the gateway
   * whose X-Forwarded-For/-Proto are believed. It replaces the services' TRUSTED_PROXIES here: the
   * gateway is the edge, so by default it believes no one (CONTRACT "Failure and abuse").
   */
  readonly trustedProxies: readonly string[];
  /** CORS_ORIGINS: exact browser origins allowed to call the API (default none). */
  readonly corsOrigins: readonly string[];
}

/** A plain http origin, or undefined: the client's path reaches the upstream unchanged (F05). */
function originOf(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  const plain = url.protocol === 'http:' && url.username === '' && url.password === '';
  return plain && url.pathname === '/' && url.search === '' && url.hash === '' ? url.origin : undefined;
}

/** A DNS name (labels of letters, digits and inner hyphens) or a bracketed IPv6 address. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$|^\[[0-9a-f:.]+\]$/;

/** Values for a message, without any credentials they carry. */
const shown = (values: readonly string[]): string => values.join(',').replace(/\/\/[^/@,]*@/g, '//***@');

/**
 * An upstream is one origin or a comma-separated list of them (replicas of one service, balanced
 * by the gateway). A single origin behaves exactly as before lists existed.
 */
function upstreamOrigins(reader: EnvReader, name: string, fallback: string): readonly string[] {
  const values = reader.list(name, [fallback]);
  const origins = values.map(originOf);
  const bad = values.filter((_, i) => origins[i] === undefined);
  if (values.length === 0 || bad.length > 0) {
    reader.problem(
      `${name} must be a plain http origin such as ${fallback}, or a comma-separated list of them (got "${shown(bad)}")`,
    );
    return Object.freeze([fallback]);
  }
  const unique = [...new Set(origins as string[])];
  if (unique.length !== origins.length) reader.problem(`${name} names the same origin twice`);
  return Object.freeze(unique);
}

/**
 * CORS_ORIGINS: each an exact origin (`https://app.example`, no path, no wildcard, not `null`);
 * in production https only, since an http origin's pages can be rewritten by anyone on the path.
 */
function corsOrigins(reader: EnvReader, production: boolean): readonly string[] {
  const origins = reader.list('CORS_ORIGINS');
  for (const origin of origins) {
    // The URL parser lets `https://*.example` or `https://app..example` through as a host; an
    // origin names one real host (DNS labels, or an IP address).
    const exact =
      URL.canParse(origin) && new URL(origin).origin === origin && HOST.test(new URL(origin).hostname);
    if (!exact || !/^https?:/.test(origin)) {
      reader.problem(`CORS_ORIGINS: "${origin}" is not an exact http(s) origin such as https://app.example`);
    } else if (production && !origin.startsWith('https://')) {
      reader.problem(`CORS_ORIGINS: "${origin}" must be https in production`);
    }
  }
  return Object.freeze(origins);
}

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): GatewayConfig {
  const reader = new EnvReader(env);
  const common = readCommon(reader, 8080, 'GATEWAY_PORT');
  const config: GatewayConfig = {
    ...common,
    authUrls: upstreamOrigins(reader, 'AUTH_URL', 'http://127.0.0.1:4001'),
    petsUrls: upstreamOrigins(reader, 'PETS_URL', 'http://127.0.0.1:4002'),
    upstreamTimeoutMs: reader.ms('UPSTREAM_TIMEOUT', '10s', { min: 1 }),
    upstreamConnectTimeoutMs: reader.ms('UPSTREAM_CONNECT_TIMEOUT', '2s', { min: 1 }),
    upstreamDownMs: reader.ms('UPSTREAM_DOWN_TIME', '5s', { min: 1 }),
    upstreamHealthIntervalMs: reader.ms('UPSTREAM_HEALTH_INTERVAL', '5s'),
    trustedProxies: Object.freeze(reader.trustList('GATEWAY_TRUSTED_PROXIES')),
    corsOrigins: corsOrigins(reader, common.production),
  };
  reader.done();
  return Object.freeze(config);
}

/**
 * Settings that work but are probably not what a production operator wants, logged at start.
 * Not a refusal: a first `docker compose up` on a laptop has no TLS proxy to name.
 */
export function startupWarnings(config: GatewayConfig): string[] {
  // The gateway speaks plain http, so in production a TLS proxy is in front of it. Unless it is
  // named, every client shares its address (one login budget for all) and no session cookie is
  // Secure (X-Forwarded-Proto from it is ignored).
  if (config.production && config.trustedProxies.length === 0) {
    return [
      'GATEWAY_TRUSTED_PROXIES is empty in production: behind a TLS proxy every client shares its address and session cookies are not Secure; name the proxy (docs/deploy.md)',
    ];
  }
  return [];
}
