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
      {
        test: {
          name: 'e2e',
          include: ['e2e/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', 'e2e/test/deploy/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
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
