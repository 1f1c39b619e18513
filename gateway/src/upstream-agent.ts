import { Agent } from 'node:http';

/**
 * How long an idle upstream socket is kept for reuse. Shorter than the services' keep-alive
 * timeout (65 s, http-kit `serve`), so the gateway never sends a request down a socket the
 * upstream is just closing: that race is the "socket hang up" 502 of F08. Node also honours an
 * upstream's `Keep-Alive: timeout=N` hint (minus a second), whichever is shorter.
 */
export const UPSTREAM_IDLE_MS = 30_000;

export interface UpstreamAgentOptions {
  idleMs?: number;
}

/** One keep-alive pool for every upstream: no TCP handshake per request. */
export function createUpstreamAgent({ idleMs = UPSTREAM_IDLE_MS }: UpstreamAgentOptions = {}): Agent {
  return new Agent({ keepAlive: true, timeout: idleMs });
}
