import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@toypetme/http-kit';
import { loadConfig } from '../src/config.js';
import { openKeySource } from '../src/key-source.js';

const run = promisify(execFile);
const CLI = resolve(fileURLToPath(import.meta.url), '../../dist/cli/keys.js');
const SECRET = 'cli-test-secret-of-at-least-32-characters';
let dir: string;
const env = () => ({ PATH: process.env.PATH ?? '', DATA_DIR: dir, JWT_SECRET: SECRET });
const keys = (...args: string[]) => run(process.execPath, [CLI, ...args], { env: env() });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tpm-keys-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run keys (compiled CLI)', () => {
  it('when used on the data folder of a started auth, lists, rotates and retires keys', async () => {
    const started = await openKeySource(
      loadConfig(env()),
      undefined,
      createLogger({ name: 'cli-test', level: 'silent' }),
    );
    started.stop();
    const signing = started.keys.current().kid;
    expect((await keys('list')).stdout).toContain(`${signing}  RS256  signing`);

    const rotated = (await keys('rotate')).stdout;
    const next = /create (\S+)/.exec(rotated)?.[1] ?? '';
    expect((await keys('list')).stdout).toContain(`${next}  RS256  published, not signing yet`);

    const retired = (await keys('retire', signing)).stdout;
    expect(retired).toContain(`remove ${signing}`);
    expect((await keys('list')).stdout).not.toContain(signing);
  });

  it('when rotate runs with another JWT_SECRET, it exits 1 naming it and writes nothing', async () => {
    const before = (await keys('list')).stdout;
    const wrong = { ...env(), JWT_SECRET: 'another-secret-of-at-least-32-characters' };
    const run2 = (...args: string[]) => run(process.execPath, [CLI, ...args], { env: wrong });
    await expect(run2('rotate')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('JWT_SECRET does not open signing key') as unknown,
    });
    expect((await keys('list')).stdout).toBe(before);
  });

  it('when it runs, it first names the store it works on', async () => {
    expect((await keys('list')).stdout.split('\n')[0]).toBe(`store: ${join(dir, 'signing-keys.json')}`);
  });

  it.each([['rotate'], ['retire', 'some-kid']])(
    'when %s meets a store with no keys (a forgotten REDIS_URL, a mistyped folder), it exits 1 naming the store and creates nothing',
    async (...args) => {
      const empty = await mkdtemp(join(tmpdir(), 'tpm-keys-empty-'));
      try {
        // No JWT_SECRET either: a development secret would be generated into DATA_DIR.
        const { JWT_SECRET: _secret, ...withoutSecret } = env();
        const elsewhere = { ...withoutSecret, DATA_DIR: empty };
        await expect(run(process.execPath, [CLI, ...args], { env: elsewhere })).rejects.toMatchObject({
          code: 1,
          stderr: expect.stringContaining(
            `no managed keys in ${join(empty, 'signing-keys.json')}`,
          ) as unknown,
        });
        // Nothing was written there: not even a development secret.
        await expect(access(join(empty, 'dev-jwt-secret'))).rejects.toThrow(/ENOENT/);
        expect((await run(process.execPath, [CLI, 'list'], { env: elsewhere })).stdout).toContain(
          'no managed keys',
        );
      } finally {
        await rm(empty, { recursive: true, force: true });
      }
    },
  );

  it('when the command is unknown, exits 1 with the usage', async () => {
    await expect(keys('bogus')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('usage') as unknown,
    });
  });
});
