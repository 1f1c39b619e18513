import { get, type Agent } from 'node:http';
import type { ReadinessChecks } from '@toypetme/http-kit';
import type { UpstreamPool } from './upstream-pool.js';

/** Resolves when `GET <origin>/healthz` answers 200 (CONTRACT "Health": both upstreams). */
export function upstreamHealthy(origin: string, agent: Agent, timeoutMs = 2000): () => Promise<void> {
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = get(new URL('/healthz', origin), { agent, timeout: timeoutMs }, (res) => {
        res.resume();
        if (res.statusCode === 200) resolve();
        else reject(new Error(`GET /healthz answered ${res.statusCode}`));
      });
      req.on('timeout', () => req.destroy(new Error('GET /healthz timed out')));
      req.on('error', reject);
    });
}

/** An upstream is ready when at least one of its replicas answers its /healthz. */
export function upstreamReadiness(
  pools: Readonly<Record<string, UpstreamPool>>,
  agent: Agent,
): ReadinessChecks {
  return Object.fromEntries(
    Object.entries(pools).map(([name, pool]) => [
      name,
      () => Promise.any(pool.origins.map((origin) => upstreamHealthy(origin, agent)())).then(() => undefined),
    ]),
  );
}

/**
 * Asks every replica's /healthz each `intervalMs` (and once at once), for the routes with more
 * than one replica: an answer marks it up, anything else marks it down, so a dead replica is
 * skipped before a client request finds out and a revived one gets traffic again. Returns stop.
 */
export function startHealthChecks(
  pools: readonly UpstreamPool[],
  agent: Agent,
  intervalMs: number,
): () => void {
  const watched = pools.filter((pool) => pool.origins.length > 1);
  if (intervalMs === 0 || watched.length === 0) return () => undefined;
  let running = false;
  const round = (): void => {
    if (running) return;
    running = true;
    const checks = watched.flatMap((pool) =>
      pool.origins.map((origin) =>
        upstreamHealthy(origin, agent, Math.min(intervalMs, 2000))().then(
          () => pool.markUp(origin),
          (err: Error) => pool.markDown(origin, `healthz: ${err.message}`),
        ),
      ),
    );
    void Promise.all(checks).finally(() => (running = false));
  };
  round();
  const timer = setInterval(round, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
