import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import dockerignoreModule from '@balena/dockerignore';

// A CommonJS module whose typings declare `export default`: Node hands ESM the function itself.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

/**
 * The files `docker build .` would send: every file under `root` that `.dockerignore` does not
 * exclude (Docker's own matching rules, through @balena/dockerignore), as relative POSIX paths.
 * Ignored folders are not descended into unless an exception (`!pattern`) reaches inside them.
 */
export async function contextFiles(root: string): Promise<string[]> {
  const patterns = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
  const ignore = dockerignore().add(patterns);
  const exceptions = patterns
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => line.slice(1));
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        const reopened = exceptions.some((exception) => exception.startsWith(`${path}/`));
        if (!ignore.ignores(path) || reopened) await walk(path);
      } else if (!ignore.ignores(path)) {
        files.push(path);
      }
    }
  };
  await walk('');
  return files.sort();
}

/** Copies the build context of `root` into `target` (an empty folder). */
export async function copyContext(root: string, target: string): Promise<string[]> {
  const files = await contextFiles(root);
  for (const file of files) {
    await mkdir(dirname(join(target, file)), { recursive: true });
    await cp(join(root, file), join(target, file), { verbatimSymlinks: true });
  }
  return files;
}
