import { get, type Agent } from 'node:http';
import type { ReadinessChecks } from '@toypetme/http-kit';

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

export function upstreamReadiness(
  upstreams: Readonly<Record<string, string>>,
  agent: Agent,
): ReadinessChecks {
  return Object.fromEntries(
    Object.entries(upstreams).map(([name, origin]) => [name, upstreamHealthy(origin, agent)]),
  );
}
