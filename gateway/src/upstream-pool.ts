import type { Logger } from '@toypetme/http-kit';

export interface UpstreamPoolOptions {
  /** Service name for logs (`auth`). */
  name: string;
  /** The replicas' origins, in configured order. */
  origins: readonly string[];
  /** How long a replica marked down is skipped (UPSTREAM_DOWN_TIME). */
  downMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * The replicas of one service and which of them are believed healthy. Requests go round-robin
 * over the healthy ones. A replica is marked down when connecting to it fails (passive) or its
 * /healthz does not answer 200 (active), and gets requests again when its down time is over or it
 * answers again. With every replica down one is tried anyway (the one due back first), so a
 * single-origin route behaves exactly as before replicas existed, and recovery needs no checker.
 */
export class UpstreamPool {
  readonly name: string;
  readonly origins: readonly string[];
  private readonly downUntil = new Map<string, number>();
  private next = 0;
  private readonly downMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor({ name, origins, downMs, logger, now = Date.now }: UpstreamPoolOptions) {
    if (origins.length === 0) throw new Error(`no origin for ${name}`);
    this.name = name;
    this.origins = origins;
    this.downMs = downMs;
    this.logger = logger;
    this.now = now;
  }

  isHealthy(origin: string): boolean {
    return (this.downUntil.get(origin) ?? 0) <= this.now();
  }

  /**
   * The next origin for a request: round-robin over the healthy ones not in `exclude`. Without
   * one, `healthyOnly` gives undefined (a retry only goes where success is likely), otherwise the
   * excluded-free origin due back soonest.
   */
  pick({ exclude, healthyOnly = false }: { exclude?: string; healthyOnly?: boolean } = {}):
    string | undefined {
    const count = this.origins.length;
    for (let step = 0; step < count; step += 1) {
      const index = (this.next + step) % count;
      const origin = this.origins[index]!;
      if (origin !== exclude && this.isHealthy(origin)) {
        this.next = (index + 1) % count;
        return origin;
      }
    }
    if (healthyOnly) return undefined;
    const candidates = this.origins.filter((origin) => origin !== exclude);
    const soonest = (a: string, b: string) => (this.downUntil.get(a) ?? 0) - (this.downUntil.get(b) ?? 0);
    return candidates.sort(soonest)[0];
  }

  markDown(origin: string, reason: string): void {
    const wasHealthy = this.isHealthy(origin);
    this.downUntil.set(origin, this.now() + this.downMs);
    if (wasHealthy && this.origins.length > 1) {
      this.logger.warn(
        { upstream: this.name, origin, reason, downMs: this.downMs },
        'upstream replica marked down',
      );
    }
  }

  markUp(origin: string): void {
    if (!this.downUntil.has(origin)) return;
    this.downUntil.delete(origin);
    if (this.origins.length > 1)
      this.logger.info({ upstream: this.name, origin }, 'upstream replica up again');
  }
}
