import { EnvReader, readCommon, type CommonConfig, type Env } from '@toypetme/http-kit';

export interface GatewayConfig extends CommonConfig {
  /** Origin of the auth service (AUTH_URL). */
  readonly authUrl: string;
  /** Origin of the pets service (PETS_URL). */
  readonly petsUrl: string;
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

/** An upstream is addressed by its origin alone: the client's path reaches it unchanged (F05). */
function upstreamOrigin(reader: EnvReader, name: string, fallback: string): string {
  const value = reader.url(name, fallback) ?? fallback;
  const url = new URL(value);
  if (url.protocol !== 'http:' || url.username !== '' || url.pathname !== '/' || url.search !== '') {
    reader.problem(`${name} must be a plain http origin such as ${fallback} (got "${value}")`);
    return fallback;
  }
  return url.origin;
}

/**
 * CORS_ORIGINS: each an exact origin (`https://app.example`, no path, no wildcard, not `null`);
 * in production https only, since an http origin's pages can be rewritten by anyone on the path.
 */
function corsOrigins(reader: EnvReader, production: boolean): readonly string[] {
  const origins = reader.list('CORS_ORIGINS');
  for (const origin of origins) {
    const exact = URL.canParse(origin) && new URL(origin).origin === origin;
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
    authUrl: upstreamOrigin(reader, 'AUTH_URL', 'http://127.0.0.1:4001'),
    petsUrl: upstreamOrigin(reader, 'PETS_URL', 'http://127.0.0.1:4002'),
    upstreamTimeoutMs: reader.ms('UPSTREAM_TIMEOUT', '10s', { min: 1 }),
    upstreamConnectTimeoutMs: reader.ms('UPSTREAM_CONNECT_TIMEOUT', '2s', { min: 1 }),
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
