import type { Env } from '@toypetme/http-kit';
import { createLogger, serve } from '@toypetme/http-kit';
import { createApp, createUpstreamPools } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startHealthChecks } from '../../src/readiness.js';
import { createUpstreamAgent } from '../../src/upstream-agent.js';

export interface TestGateway {
  url: string;
  /** Parsed log lines, newest last. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** The upstream agent's idle-socket lifetime (production: UPSTREAM_IDLE_MS). */
  idleMs?: number;
}

/** The gateway as main.ts runs it, on a free loopback port, configured through its env. */
export async function startGateway(env: Env, { idleMs }: GatewayOptions = {}): Promise<TestGateway> {
  const config = loadConfig({ HOST: '127.0.0.1', GATEWAY_PORT: '0', ...env });
  const logs: Record<string, unknown>[] = [];
  const destination = {
    write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
  };
  const logger = createLogger({ name: 'gateway-test', level: 'info', destination });
  const agent = createUpstreamAgent({ idleMs });
  const pools = createUpstreamPools(config, logger);
  const stopChecks = startHealthChecks(Object.values(pools), agent, config.upstreamHealthIntervalMs);
  const running = await serve({
    app: createApp({ config, logger, agent, pools }),
    host: config.host,
    port: config.port,
    logger,
    shutdownTimeoutMs: 500,
    onClose: () => {
      stopChecks();
      agent.destroy();
      return Promise.resolve();
    },
  });
  return { url: running.url, logs, close: () => running.close() };
}
