import Koa from 'koa';
import { accessLog } from './access-log.js';
import { errorMiddleware } from './error-middleware.js';
import { AppError } from './errors.js';
import { trustForwarded } from './forwarded.js';
import { healthRoutes, type ReadinessChecks } from './health.js';
import type { Logger } from './logger.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

export interface BaseAppOptions {
  logger: Logger;
  readiness: ReadinessChecks;
  /** Peers whose X-Forwarded-* are believed; omit for an app that sets them itself (the gateway). */
  trustedProxies?: readonly string[];
}

/** RFC 9112 §3.2: an HTTP/1.1 request without a Host header, or with two, is a 400. */
const requireHost: Koa.Middleware = async (ctx, next) => {
  const { httpVersionMajor, httpVersionMinor, headers, rawHeaders } = ctx.req;
  if (httpVersionMajor === 1 && httpVersionMinor >= 1 && headers.host === undefined) {
    throw new AppError('invalid_request', 'An HTTP/1.1 request needs a Host header.');
  }
  // Node keeps the first of several Host lines; a proxy in front may have routed by another.
  if (rawHeaders.filter((value, index) => index % 2 === 0 && value.toLowerCase() === 'host').length > 1) {
    throw new AppError('invalid_request', 'A request may carry only one Host header.');
  }
  await next();
};

/**
 * The stack every service shares, in order: request id, security headers, access log, error
 * rendering (so even failures of later middleware are JSON), a Host header, forwarded-header trust, then
 * /healthz and /readyz.
 */
export function createBaseApp({ logger, readiness, trustedProxies }: BaseAppOptions): Koa {
  const app = new Koa();
  app.on('error', (err: Error) => logger.debug({ err: err.message }, 'response stream error'));
  app.use(requestId());
  app.use(securityHeaders());
  app.use(accessLog(logger));
  app.use(errorMiddleware(logger));
  app.use(requireHost);
  if (trustedProxies !== undefined) app.use(trustForwarded(app, trustedProxies));
  app.use(healthRoutes(readiness));
  return app;
}
