import { createLogger, runMain, serveService } from '@toypetme/http-kit';
import { createApp, createUpstreamPools } from './app.js';
import { loadConfig, startupWarnings, type GatewayConfig } from './config.js';
import { startHealthChecks } from './readiness.js';
import { createUpstreamAgent } from './upstream-agent.js';

async function start(config: GatewayConfig): Promise<void> {
  const logger = createLogger({ name: 'gateway', level: config.logLevel, pretty: config.logPretty });
  for (const warning of startupWarnings(config)) logger.warn(warning);
  const agent = createUpstreamAgent();
  const pools = createUpstreamPools(config, logger);
  const app = createApp({ config, logger, agent, pools });
  const stopChecks = startHealthChecks(Object.values(pools), agent, config.upstreamHealthIntervalMs);
  const running = await serveService(app, config, logger, () => {
    stopChecks();
    agent.destroy();
    return Promise.resolve();
  });
  logger.info({ url: running.url, auth: config.authUrls, pets: config.petsUrls }, 'gateway listening');
}

runMain('gateway', () => start(loadConfig(process.env)));
