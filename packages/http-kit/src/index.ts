export { createBaseApp, type BaseAppOptions } from './app.js';
export { accessLog } from './access-log.js';
export { parseDurationMs, parseDurationSeconds } from './duration.js';
export { ConfigError, EnvReader, readCommon, type CommonConfig, type Env } from './env.js';
export { errorMiddleware } from './error-middleware.js';
export { AppError, ERROR_STATUS, isAppError, type AppErrorOptions, type ErrorCode } from './errors.js';
export { trustForwarded } from './forwarded.js';
export { healthRoutes, type ReadinessChecks } from './health.js';
export { jsonBody, type JsonBodyOptions } from './json-body.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  closeRedis,
  connectRedis,
  waitForRedis,
  createRedis,
  dataNodes,
  deleteByPrefix,
  deleteKeys,
  isCluster,
  isStoreUnavailable,
  pingRedis,
  scanKeys,
  type Cluster,
  type Redis,
  type RedisClient,
  type RedisOptions,
} from './redis.js';
export {
  describeRedisTarget,
  parseNodeAddress,
  readRedisSettings,
  REDIS_TOPOLOGY_VARS,
  type RedisAuth,
  type RedisNodeAddress,
  type RedisSettings,
  type RedisTarget,
} from './redis-config.js';
export { pickRequestId, requestId } from './request-id.js';
export {
  exitOnSignals,
  runMain,
  serve,
  serveService,
  type RunningServer,
  type ServeOptions,
} from './server.js';
export { securityHeaders } from './security-headers.js';
export { parseInput } from './validation.js';
