import type { Agent } from 'node:http';
import type Koa from 'koa';
import { createBaseApp, type Logger } from '@toypetme/http-kit';
import type { GatewayConfig } from './config.js';
import { corsPolicy } from './cors-policy.js';
import { proxyRoutes } from './proxy-routes.js';
import { upstreamReadiness } from './readiness.js';
import type { UpstreamName } from './routes.js';
import { balancedForward } from './upstream-balancer.js';
import { UpstreamPool } from './upstream-pool.js';
import { createUpstreamProxy } from './upstream-proxy.js';

type PoolConfig = Pick<GatewayConfig, 'authUrls' | 'petsUrls' | 'upstreamDownMs'>;

/** The replicas of each upstream and what the gateway believes about their health. */
export type UpstreamPools = Readonly<Record<UpstreamName, UpstreamPool>>;

export function createUpstreamPools(config: PoolConfig, logger: Logger): UpstreamPools {
  const pool = (name: UpstreamName, origins: readonly string[]) =>
    new UpstreamPool({ name, origins, downMs: config.upstreamDownMs, logger });
  return { auth: pool('auth', config.authUrls), pets: pool('pets', config.petsUrls) };
}

export interface GatewayDeps {
  config: PoolConfig &
    Pick<GatewayConfig, 'upstreamTimeoutMs' | 'upstreamConnectTimeoutMs' | 'trustedProxies' | 'corsOrigins'>;
  logger: Logger;
  /** Keep-alive pool to the upstreams (createUpstreamAgent); its owner destroys it on shutdown. */
  agent: Agent;
  /** Shared with the active health checks (main.ts); built from the config when not given. */
  pools?: UpstreamPools;
}

/**
 * The gateway: http-kit's base stack without forwarded-header trust (the gateway is the one that
 * sets them), readiness of both upstreams, CORS, then the route table, each route balanced over its
 * replicas. No I/O, no env.
 */
export function createApp({ config, logger, agent, pools: given }: GatewayDeps): Koa {
  const pools = given ?? createUpstreamPools(config, logger);
  const app = createBaseApp({ logger, readiness: upstreamReadiness(pools, agent) });
  const internalOrigins = new Set(Object.values(pools).flatMap((pool) => pool.origins));
  const forward = (name: UpstreamName) => {
    const proxies = pools[name].origins.map(
      (target) =>
        [
          target,
          createUpstreamProxy({
            name,
            target,
            agent,
            timeoutMs: config.upstreamTimeoutMs,
            connectTimeoutMs: config.upstreamConnectTimeoutMs,
            internalOrigins,
            logger,
          }),
        ] as const,
    );
    return balancedForward(pools[name], new Map(proxies), logger);
  };
  app.use(corsPolicy(config.corsOrigins));
  app.use(proxyRoutes({ auth: forward('auth'), pets: forward('pets') }, config.trustedProxies));
  return app;
}
