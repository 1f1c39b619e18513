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
}

/** A plain http origin, or undefined: the client's path reaches the upstream unchanged (F05). */
function originOf(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const url = new URL(value);
  const plain = url.protocol === 'http:' && url.username === '' && url.password === '';
  return plain && url.pathname === '/' && url.search === '' && url.hash === '' ? url.origin : undefined;
}

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

/** Reads and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env): GatewayConfig {
  const reader = new EnvReader(env);
  const config: GatewayConfig = {
    ...readCommon(reader, 8080, 'GATEWAY_PORT'),
    authUrls: upstreamOrigins(reader, 'AUTH_URL', 'http://127.0.0.1:4001'),
    petsUrls: upstreamOrigins(reader, 'PETS_URL', 'http://127.0.0.1:4002'),
    upstreamTimeoutMs: reader.ms('UPSTREAM_TIMEOUT', '10s', { min: 1 }),
    upstreamConnectTimeoutMs: reader.ms('UPSTREAM_CONNECT_TIMEOUT', '2s', { min: 1 }),
    upstreamDownMs: reader.ms('UPSTREAM_DOWN_TIME', '5s', { min: 1 }),
    upstreamHealthIntervalMs: reader.ms('UPSTREAM_HEALTH_INTERVAL', '5s'),
    trustedProxies: Object.freeze(reader.trustList('GATEWAY_TRUSTED_PROXIES')),
  };
  reader.done();
  return Object.freeze(config);
}
