export { createApp, createUpstreamPools, type GatewayDeps, type UpstreamPools } from './app.js';
export { loadConfig, type GatewayConfig } from './config.js';
export { ROUTES, upstreamFor, type UpstreamName } from './routes.js';
export { createUpstreamAgent, UPSTREAM_IDLE_MS, type UpstreamAgentOptions } from './upstream-agent.js';
export { startHealthChecks, upstreamReadiness } from './readiness.js';
export { retryable, balancedForward } from './upstream-balancer.js';
export { UpstreamPool, type UpstreamPoolOptions } from './upstream-pool.js';
