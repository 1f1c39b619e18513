import type { Env } from '@toypetme/http-kit';
import { afterAll, beforeAll } from 'vitest';
import { startGateway, type GatewayOptions, type TestGateway } from './gateway.js';
import { startUpstream, type TestUpstream, type UpstreamOptions } from './upstream.js';

export interface GatewayFixture {
  auth: TestUpstream;
  pets: TestUpstream;
  gateway: TestGateway;
}

export interface FixtureOptions extends GatewayOptions {
  /** Extra gateway environment (AUTH_URL and PETS_URL point at the echo upstreams). */
  env?: Env;
  pets?: UpstreamOptions;
}

/**
 * Two echo upstreams and a gateway in front of them, started before the file's tests and
 * stopped after. Hangs are caught by vitest's test timeout (5 s unless a test says otherwise).
 */
export function useGatewayFixture({
  env = {},
  pets,
  ...gatewayOptions
}: FixtureOptions = {}): GatewayFixture {
  const fixture = {} as GatewayFixture;
  beforeAll(async () => {
    fixture.auth = await startUpstream('auth');
    fixture.pets = await startUpstream('pets', pets);
    const urls = { AUTH_URL: fixture.auth.url, PETS_URL: fixture.pets.url };
    fixture.gateway = await startGateway({ ...urls, ...env }, gatewayOptions);
  });
  afterAll(async () => {
    await fixture.gateway.close();
    await Promise.all([fixture.auth.close(), fixture.pets.close()]);
  });
  return fixture;
}
