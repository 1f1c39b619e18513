import { defineConfig } from 'vitest/config';

const sources = ['packages', 'services', 'gateway'].map((dir) => `${dir}/**/test/**/*.test.ts`);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: sources,
          exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'packages/**/test/**/*.int.test.ts',
            'services/**/test/**/*.int.test.ts',
            'gateway/**/test/**/*.int.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 20_000,
        },
      },
      // The whole e2e suite once per signing algorithm (issue 4: ES256 and EdDSA pass the same
      // suite as RS256), one algorithm after the other so the real processes do not compete.
      ...(['RS256', 'ES256', 'EdDSA'] as const).map((alg, index) => ({
        test: {
          name: alg === 'RS256' ? 'e2e' : `e2e-${alg.toLowerCase()}`,
          include: ['e2e/test/**/*.test.ts'],
          // algorithms.test.ts switches algorithms itself; attacker-tokens.test.ts pins an RSA
          // key to forge against (SECURITY-CHECKS' RS256 cases: PKCS#1 encodings, RS384/PS256
          // switches), so it runs once, with RS256.
          exclude: [
            '**/node_modules/**',
            '**/dist/**',
            'e2e/test/deploy/**',
            ...(index === 0 ? [] : ['e2e/test/algorithms.test.ts', 'e2e/test/attacker-tokens.test.ts']),
          ],
          env: { E2E_JWT_ALG: alg },
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 + index },
        },
      })),
      {
        // Runs the images' build steps (npm ci, tsc, argon2) on this machine: in a group of its own
        // (after unit and integration, before e2e's sequential files), so its compiling never
        // slows another test's timed bounds.
        test: {
          name: 'deploy',
          include: ['e2e/test/deploy/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 30_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
