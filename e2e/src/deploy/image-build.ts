import { spawn } from 'node:child_process';
import { cp, mkdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Dockerfile, Instruction, Stage } from './dockerfile.js';

/**
 * Runs a Dockerfile target's build steps on this machine, without Docker: each stage's file
 * system is a folder (`/app` of a stage is `<stage folder>/app`), COPY copies, RUN runs in a shell
 * there, and an image stage (`FROM node:…`) starts empty because this machine's Node.js stands in
 * for the image's. System packages (`apt-get`) are the only steps not run: this machine must
 * already have them. Anything else the interpreter cannot do stops the build with an error.
 */

export interface BuiltStage {
  /** The folder standing for the stage's `/`. */
  root: string;
  workdir: string;
  env: Readonly<Record<string, string>>;
  user: string | undefined;
}

export interface BuildOptions {
  /** The build context (already filtered by .dockerignore). */
  context: string;
  /** An empty folder; each stage gets a subfolder. */
  workspace: string;
  /** Environment of RUN steps besides the stage's ENV (PATH, HOME, npm settings). */
  runEnv: Readonly<Record<string, string>>;
  /** Told about each step, for progress output and the test's record. */
  onStep?: (stage: string, instruction: Instruction, skipped: boolean) => void;
}

interface StageState {
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
}

function inside(root: string, path: string): string {
  return join(root, posix.normalize(`/${path}`));
}

function run(command: readonly string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000)));
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-6000)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

async function copy(state: StageState, instruction: Instruction, sourceRoot: string): Promise<void> {
  const words = instruction.text.split(/\s+/);
  if (instruction.exec !== undefined || words.length < 2 || /[*?$]/.test(instruction.text)) {
    throw new Error(`line ${instruction.line}: COPY ${instruction.text} is not supported here`);
  }
  const destination = posix.resolve(state.workdir, words.at(-1)!);
  const sources = words.slice(0, -1);
  const intoFolder = words.at(-1)!.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    const from = inside(sourceRoot, posix.resolve('/', source));
    const isFolder = (await stat(from)).isDirectory(); // a missing source fails, as in Docker
    const to = inside(
      state.root,
      intoFolder && !isFolder ? posix.join(destination, posix.basename(source)) : destination,
    );
    await mkdir(isFolder ? to : join(to, '..'), { recursive: true });
    await cp(from, to, { recursive: true, verbatimSymlinks: true });
  }
}

function setEnv(state: StageState, instruction: Instruction): void {
  const pairs = instruction.text.match(/(\w+)=("[^"]*"|\S*)/g);
  if (pairs === null) throw new Error(`line ${instruction.line}: ENV needs NAME=value pairs`);
  for (const pair of pairs) {
    const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    state.env[name] = value.replace(/^"(.*)"$/, '$1');
  }
}

async function step(
  state: StageState,
  instruction: Instruction,
  options: BuildOptions,
  built: Map<string, BuiltStage>,
): Promise<boolean> {
  const { keyword, text, flags } = instruction;
  if (keyword === 'WORKDIR') {
    state.workdir = posix.resolve(state.workdir, text);
    await mkdir(inside(state.root, state.workdir), { recursive: true });
  } else if (keyword === 'COPY') {
    const from = flags.from === undefined ? options.context : built.get(flags.from)?.root;
    if (from === undefined)
      throw new Error(`line ${instruction.line}: COPY --from=${flags.from} names no earlier stage`);
    await copy(state, instruction, from);
  } else if (keyword === 'RUN') {
    if (/^apt-get\s/.test(text)) return false;
    const command = instruction.exec ?? ['/bin/sh', '-c', text];
    await run(command, inside(state.root, state.workdir), { ...options.runEnv, ...state.env });
  } else if (keyword === 'ENV') {
    setEnv(state, instruction);
  } else if (keyword === 'USER') {
    state.user = text;
  } else if (!['CMD', 'EXPOSE', 'HEALTHCHECK', 'LABEL'].includes(keyword)) {
    throw new Error(`line ${instruction.line}: ${keyword} is not supported here`);
  }
  return true;
}

async function buildStage(
  stage: Stage,
  options: BuildOptions,
  built: Map<string, BuiltStage>,
): Promise<BuiltStage> {
  const root = join(options.workspace, stage.name);
  const base = built.get(stage.from);
  if (base !== undefined) await cp(base.root, root, { recursive: true, verbatimSymlinks: true });
  else await mkdir(root, { recursive: true });
  const state: StageState = {
    root,
    workdir: base?.workdir ?? '/',
    env: { ...base?.env },
    user: base?.user,
  };
  for (const instruction of stage.instructions) {
    const ran = await step(state, instruction, options, built);
    options.onStep?.(stage.name, instruction, !ran);
  }
  return state;
}

/** Builds `target` and the stages it needs (from FROM and COPY --from), in Dockerfile order. */
export async function buildTarget(
  file: Dockerfile,
  target: string,
  options: BuildOptions,
  built = new Map<string, BuiltStage>(),
): Promise<BuiltStage> {
  const needed = new Set<string>();
  const need = (name: string): void => {
    const stage = file.stages.find((candidate) => candidate.name === name);
    if (stage === undefined || needed.has(name)) return;
    needed.add(name);
    need(stage.from);
    for (const { flags } of stage.instructions) if (flags.from !== undefined) need(flags.from);
  };
  need(target);
  for (const stage of file.stages) {
    if (needed.has(stage.name) && !built.has(stage.name))
      built.set(stage.name, await buildStage(stage, options, built));
  }
  return built.get(target)!;
}
