import type { Middleware } from 'koa';

const ROUTES = new Set(['/healthz', '/readyz']);

/** A named dependency check: resolves when the dependency answers, rejects otherwise. */
export type ReadinessChecks = Readonly<Record<string, () => Promise<void>>>;

function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    check()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

/**
 * `GET /healthz`: the process is alive. `GET /readyz`: 200 only when every dependency answers,
 * else 503 naming what is down (CONTRACT "Health").
 */
export function healthRoutes(checks: ReadinessChecks, timeoutMs = 2000): Middleware {
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ROUTES.has(ctx.path)) {
      await next();
      return;
    }
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((name) => withTimeout(checks[name]!, timeoutMs)));
    const down = names.filter((_, index) => results[index]?.status === 'rejected');
    ctx.set('Cache-Control', 'no-store');
    if (down.length === 0) {
      ctx.body = { status: 'ready', checks: Object.fromEntries(names.map((name) => [name, 'up'])) };
      return;
    }
    ctx.status = 503;
    ctx.set('Retry-After', '1');
    ctx.body = {
      error: 'service_unavailable',
      message: `Not ready: ${down.join(', ')} down.`,
      requestId: ctx.state.requestId as string,
      checks: Object.fromEntries(names.map((name) => [name, down.includes(name) ? 'down' : 'up'])),
    };
  };
}
