export type UpstreamName = 'auth' | 'pets';

/**
 * The architecture in ten lines (CONTRACT "Topology"). A prefix owns itself and everything below
 * it on a path-segment boundary, so `/api/pets` and `/api/pets/x` go to pets while `/api/petsX`,
 * `/api/tokens` and `/authority` get the gateway's own 404 (F04). Paths are never rewritten (F05).
 */
export const ROUTES: readonly { prefix: string; upstream: UpstreamName }[] = [
  { prefix: '/auth', upstream: 'auth' },
  { prefix: '/api/token', upstream: 'auth' },
  { prefix: '/.well-known', upstream: 'auth' },
  { prefix: '/api/pets', upstream: 'pets' },
];

/**
 * Dot segments (also percent-encoded) are refused outright: an upstream that normalised
 * `/api/pets/../../auth/x` would otherwise serve a route the gateway never chose.
 */
function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/** The upstream owning a request path (pathname, no query), or undefined for the gateway's 404. */
export function upstreamFor(path: string): UpstreamName | undefined {
  if (hasDotSegment(path)) return undefined;
  const route = ROUTES.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
  return route?.upstream;
}
