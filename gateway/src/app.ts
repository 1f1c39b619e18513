import type { Agent } from 'node:http';
import type Koa from 'koa';
import { createBaseApp, type Logger } from '@toypetme/http-kit';
import type { GatewayConfig } from './config.js';
import { corsPolicy } from './cors-policy.js';
import { proxyRoutes } from './proxy-routes.js';
import { upstreamReadiness } from './readiness.js';
import { createUpstreamProxy } from './upstream-proxy.js';

export interface GatewayDeps {
  config: Pick<
    GatewayConfig,
    | 'authUrl'
    | 'petsUrl'
    | 'upstreamTimeoutMs'
    | 'upstreamConnectTimeoutMs'
    | 'trustedProxies'
    | 'corsOrigins'
  >;
  logger: Logger;
  /** Keep-alive pool to the upstreams (createUpstreamAgent); its owner destroys it on shutdown. */
  agent: Agent;
}

/**
 * The gateway: http-kit's base stack without forwarded-header trust (the gateway is the one that
 * sets them), readiness of both upstreams, CORS, then the route table. No I/O, no env.
 */
export function createApp({ config, logger, agent }: GatewayDeps): Koa {
  const upstreams = { auth: config.authUrl, pets: config.petsUrl };
  const app = createBaseApp({ logger, readiness: upstreamReadiness(upstreams, agent) });
  const internalOrigins = new Set(Object.values(upstreams));
  const forward = (name: keyof typeof upstreams) =>
    createUpstreamProxy({
      name,
      target: upstreams[name],
      agent,
      timeoutMs: config.upstreamTimeoutMs,
      connectTimeoutMs: config.upstreamConnectTimeoutMs,
      internalOrigins,
      logger,
    });
  app.use(corsPolicy(config.corsOrigins));
  app.use(proxyRoutes({ auth: forward('auth'), pets: forward('pets') }, config.trustedProxies));
  return app;
}
